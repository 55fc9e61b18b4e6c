using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>Options of <c>mlContext.Transforms.Text.TrainSentenceEncoder</c> (<see cref="SentenceEncoderTrainer"/>).</summary>
public sealed class SentenceEncoderTrainingOptions
{
    /// <summary>The encoder to start from; null means all-MiniLM-L6-v2 (<see cref="PretrainedEncoders.MiniLM"/>).</summary>
    public EncoderModel? Model { get; set; }

    /// <summary>
    /// The loss (its <see cref="SentenceEmbeddingLoss.Input"/> decides which columns are read). Default
    /// <see cref="MultipleNegativesRankingLoss"/> with scale 20.
    /// </summary>
    public SentenceEmbeddingLoss Loss { get; set; } = new MultipleNegativesRankingLoss();

    /// <summary>
    /// Text columns, in the loss's order: anchor, positive, then hard negatives (in-batch losses); first and second
    /// text (scored pairs); the text (self-supervised and distillation losses). Default <c>Anchor</c>, <c>Positive</c>.
    /// </summary>
    public IReadOnlyList<string> TextColumnNames { get; set; } = ["Anchor", "Positive"];

    /// <summary>Column of the similarity score (Single) for scored-pair losses, or of the teacher embedding (vector of Single) for distillation.</summary>
    public string TargetColumnName { get; set; } = "Score";

    /// <summary>
    /// Smallest score the data may hold (e.g. 0 for STS-B); with <see cref="ScoreMaximum"/>, scores outside the range are
    /// an error and <see cref="CosineSimilarityLoss"/> trains on scores mapped onto [0, 1]. Null: no range is declared.
    /// </summary>
    public float? ScoreMinimum { get; set; }

    /// <summary>Largest score the data may hold (e.g. 5 for STS-B); see <see cref="ScoreMinimum"/>.</summary>
    public float? ScoreMaximum { get; set; }

    /// <summary>Output column of the fitted <c>EncodeText</c> transformer (vector of Single).</summary>
    public string OutputColumnName { get; set; } = "Embedding";

    /// <summary>Text column the fitted transformer encodes; null means the first of <see cref="TextColumnNames"/>.</summary>
    public string? InputColumnName { get; set; }

    /// <summary>Sentence pooling trained and served; null uses the model's own (mean for MiniLM, CLS for arctic-embed). Every <see cref="EncoderPooling"/> trains.</summary>
    public EncoderPooling? Pooling { get; set; }

    /// <summary>Longest input in tokens, special tokens included; longer texts are cut. At most the model's <see cref="EncoderConfig.MaxPositionEmbeddings"/>. Default 128.</summary>
    public int MaxTokens { get; set; } = 128;

    /// <summary>
    /// Evaluations run during training (<see cref="StsTrainingEvaluator"/>, <see cref="BeirTrainingEvaluator"/>), at the end
    /// of each epoch or every <see cref="TrainingOptions.EvaluateEverySteps"/> steps; their metrics appear in the progress
    /// reports and in <see cref="TrainingResult.Evaluations"/> as <c>name/metric</c>. The first one's primary metric
    /// decides early stopping (<see cref="TrainingOptions.EarlyStoppingPatience"/>) and, with
    /// <see cref="TrainingOptions.KeepBestModel"/> (the default), which step's weights the trained encoder has. Empty by default.
    /// </summary>
    public IReadOnlyList<SentenceEncoderEvaluator> Evaluators { get; set; } = [];

    /// <summary>
    /// The optimisation loop: batch size (in-batch losses see <c>BatchSize - 1</c> negatives per anchor), epochs, learning
    /// rate, weight decay, warmup, clipping, seed, threads, evaluation, early stopping, checkpoints. Defaults here:
    /// batch 32, 1 epoch, learning rate 2e-5 (sentence-transformers' default).
    /// </summary>
    public TrainingOptions Training { get; set; } = new() { BatchSize = 32, Epochs = 1, LearningRate = 2e-5 };

    /// <summary>Receives a report after every step (besides ML.NET's progress channel).</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>A copy whose <see cref="Training"/> options and column and evaluator lists are copied too (model, loss, evaluators and progress are shared).</summary>
    public SentenceEncoderTrainingOptions Clone()
    {
        var copy = (SentenceEncoderTrainingOptions)MemberwiseClone();
        copy.Training = Training.Clone();
        copy.TextColumnNames = TextColumnNames.ToArray();
        copy.Evaluators = Evaluators.ToArray();
        return copy;
    }

    /// <summary>Checks the settings against each other; throws naming the bad one.</summary>
    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Loss, nameof(Loss));
        ArgumentNullException.ThrowIfNull(TextColumnNames, nameof(TextColumnNames));
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        ArgumentNullException.ThrowIfNull(Evaluators, nameof(Evaluators));
        if (Evaluators.Any(e => e is null))
            throw new ArgumentNullException(nameof(Evaluators), "The evaluator list holds a null entry.");
        string? duplicate = Evaluators.GroupBy(e => e.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
            throw new ArgumentOutOfRangeException(nameof(Evaluators), duplicate, $"Two evaluators are named '{duplicate}'; give each its own name (it prefixes its metrics).");
        Training.Validate();
        (Model?.Config ?? PretrainedEncoders.MiniLM.Config).ResolveMaxTokens(MaxTokens, nameof(MaxTokens));
        int needed = Loss.Input is SentenceLossInput.AnchorPositive or SentenceLossInput.ScoredPair ? 2 : 1;
        if (TextColumnNames.Count < needed || (Loss.Input is not SentenceLossInput.AnchorPositive && TextColumnNames.Count != needed))
            throw new ArgumentOutOfRangeException(nameof(TextColumnNames), string.Join(", ", TextColumnNames),
                $"The {Loss.Name} loss reads {(Loss.Input == SentenceLossInput.AnchorPositive ? "an anchor, a positive and optional hard-negative" : needed.ToString(System.Globalization.CultureInfo.InvariantCulture))} text column(s).");
        if (Loss.UsesInBatchNegatives && Training.BatchSize < 2)
            throw new ArgumentOutOfRangeException(nameof(Training.BatchSize), Training.BatchSize,
                $"The {Loss.Name} loss uses the other rows of a batch as negatives; BatchSize must be at least 2.");
        if ((ScoreMinimum is null) != (ScoreMaximum is null) || ScoreMinimum >= ScoreMaximum)
            throw new ArgumentOutOfRangeException(nameof(ScoreMaximum), $"[{ScoreMinimum}, {ScoreMaximum}]",
                "Declare both ScoreMinimum and ScoreMaximum, with the minimum below the maximum, or neither.");
        if (Pooling is { } pooling && !Enum.IsDefined(pooling))
            throw new ArgumentOutOfRangeException(nameof(Pooling), pooling, $"Unknown pooling {pooling}; expected one of {string.Join(", ", Enum.GetNames<EncoderPooling>())}.");
    }
}
