using Microsoft.ML;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>Options of the encoder fine-tuning trainers (text classification and sentence-pair regression).</summary>
/// <remarks>
/// Each knob has one home: what the task reads and writes and which encoder it starts from live here; the
/// optimisation loop's settings (batch size, epochs, learning rate, warmup, weight decay, seed, checkpoints...) live
/// in <see cref="Training"/>. The trainer copies and checks the options once, when it is created.
/// </remarks>
public sealed class EncoderFineTuningOptions
{
    /// <summary>Label column: a key (classification; map strings with <c>MapValueToKey</c>) or Single (regression).</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Text column of the (first) sentence.</summary>
    public string SentenceColumnName { get; set; } = "Sentence";

    /// <summary>Text column of the second sentence for pair tasks (MRPC, RTE, STS-B); null for single sentences.</summary>
    public string? SecondSentenceColumnName { get; set; }

    /// <summary>Output column: class probabilities (vector of Single) or the predicted value (Single).</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>Output column of the predicted class (key, same key count as the label); classification only.</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>
    /// The encoder to start from (<see cref="PretrainedEncoders.Load"/> or <see cref="EncoderModel.Load"/>); null means
    /// all-MiniLM-L6-v2 (<see cref="PretrainedEncoders.MiniLM"/>) from the default cache folder.
    /// </summary>
    public EncoderModel? Encoder { get; set; }

    /// <summary>
    /// A fine-tuned sentence classifier or regressor to continue training (its encoder, head and pooling), e.g. for
    /// another epoch with a fresh learning-rate schedule; null starts from <see cref="Encoder"/> with a new head. Its
    /// kind and class count must match the data; <see cref="Encoder"/> and <see cref="Pooling"/> must then be null.
    /// </summary>
    public EncoderFineTuningTransformer? InitialModel { get; set; }

    /// <summary>Sentence pooling for the head; null uses the encoder's own (mean for MiniLM, CLS for arctic-embed). Every <see cref="EncoderPooling"/> trains and exports.</summary>
    public EncoderPooling? Pooling { get; set; }

    /// <summary>
    /// Longest input in tokens, special tokens included; longer rows are truncated (longest segment first), in training
    /// and in serving alike. Must lie between 3 and the encoder's <see cref="EncoderConfig.MaxPositionEmbeddings"/>. Default 128.
    /// </summary>
    public int MaxTokens { get; set; } = 128;

    /// <summary>Train the head only and keep the encoder's weights.</summary>
    public bool FreezeEncoder { get; set; }

    /// <summary>Rows to evaluate on during training (same columns as the training data); enables early stopping.</summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>
    /// The <see cref="ValidationSet"/> measure that picks the best step and drives early stopping: accuracy, f1 (class 1)
    /// or mcc for classification; pearson or spearman for regression. Null: accuracy, or spearman for regression.
    /// </summary>
    public string? ValidationMetric { get; set; }

    /// <summary>The optimisation loop: batch size, epochs, learning rate, weight decay, warmup, clipping, seed, threads, evaluation, early stopping, checkpoints.</summary>
    public TrainingOptions Training { get; set; } = new();

    /// <summary>Receives a report after every step (besides ML.NET's progress channel).</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>A copy whose <see cref="Training"/> options are copied too (the encoder, validation set and progress sink are shared).</summary>
    public EncoderFineTuningOptions Clone()
    {
        var copy = (EncoderFineTuningOptions)MemberwiseClone();
        copy.Training = (Training ?? throw new ArgumentNullException(nameof(Training), "Training options must not be null.")).Clone();
        return copy;
    }

    /// <summary>
    /// The one copy-and-check of the options: a copy whose values are all valid for its encoder.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it and quotes it.</exception>
    /// <exception cref="ArgumentException">A column name is empty.</exception>
    internal EncoderFineTuningOptions Validated()
    {
        EncoderFineTuningOptions copy = Clone();
        copy.Training.Validate();
        foreach ((string name, string? value) in new[] { (nameof(LabelColumnName), copy.LabelColumnName), (nameof(SentenceColumnName), copy.SentenceColumnName),
                     (nameof(ScoreColumnName), copy.ScoreColumnName), (nameof(PredictedLabelColumnName), copy.PredictedLabelColumnName) })
        {
            if (string.IsNullOrEmpty(value))
                throw new ArgumentException($"{name} must not be empty.", name);
        }
        if (copy.ValidationMetric is { } metric && !FineTuningTask.ClassificationMeasures.Contains(metric) && !FineTuningTask.RegressionMeasures.Contains(metric))
            throw new ArgumentOutOfRangeException(nameof(ValidationMetric), metric,
                $"Unknown validation metric '{metric}'; expected one of {string.Join(", ", FineTuningTask.ClassificationMeasures.Concat(FineTuningTask.RegressionMeasures))}.");
        if (copy.InitialModel is { } start)
        {
            if (copy.Encoder is not null || copy.Pooling is not null)
                throw new ArgumentException("InitialModel continues a fine-tuned model with its own encoder and pooling; leave Encoder and Pooling null.", nameof(InitialModel));
            if (start.Kind == FineTuningKind.TokenClassification)
                throw new ArgumentException("InitialModel is a token classifier; the sentence fine-tuning trainers continue sentence classifiers and regressors.", nameof(InitialModel));
        }
        if (copy.Pooling is { } pooling && !Enum.IsDefined(pooling))
            throw new ArgumentOutOfRangeException(nameof(Pooling), pooling, $"Unknown pooling {pooling}; expected one of {string.Join(", ", Enum.GetNames<EncoderPooling>())}.");
        // The default encoder is checked by its known config; its files are only read at Fit.
        (copy.Encoder?.Config ?? PretrainedEncoders.MiniLM.Config).ResolveMaxTokens(copy.MaxTokens, nameof(MaxTokens));
        return copy;
    }

    /// <summary>The encoder to start from: <see cref="InitialModel"/>'s, <see cref="Encoder"/>, or all-MiniLM-L6-v2 from the default cache folder.</summary>
    internal EncoderModel ResolveEncoder() => InitialModel?.Serving.Model ?? Encoder ?? PretrainedEncoders.Load(PretrainedEncoders.MiniLM.Name);
}
