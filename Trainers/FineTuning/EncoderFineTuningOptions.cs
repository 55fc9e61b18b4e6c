using Microsoft.ML;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>Options of the encoder fine-tuning trainers (text classification and sentence-pair regression).</summary>
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

    /// <summary>Name of the pretrained encoder to start from (<c>PretrainedEncoders.Load</c>); used when <see cref="EncoderFolder"/> is null.</summary>
    public string Encoder { get; set; } = "all-MiniLM-L6-v2";

    /// <summary>A Hugging Face-layout folder with <c>model.onnx</c> and <c>vocab.txt</c> to start from instead.</summary>
    public string? EncoderFolder { get; set; }

    /// <summary>Sentence pooling for the head; null uses the encoder's own (mean for MiniLM, CLS for arctic-embed).</summary>
    public PoolingMode? Pooling { get; set; }

    /// <summary>Longest input in tokens, special tokens included; longer rows are truncated (longest segment first).</summary>
    public int MaxTokens { get; set; } = 128;

    /// <summary>Train the head only and keep the encoder's weights.</summary>
    public bool FreezeEncoder { get; set; }

    /// <summary>Rows to evaluate on during training (same columns as the training data); enables early stopping.</summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>Rows per optimisation step.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; set; } = 3;

    /// <summary>Peak learning rate (AdamW, linear warmup and decay).</summary>
    public double LearningRate { get; set; } = 5e-5;

    /// <summary>Further loop settings (weight decay, warmup, clipping, seed, threads, evaluation, early stopping, checkpoints).</summary>
    public TrainingOptions Training { get; set; } = new();

    /// <summary>Receives a report after every step (besides ML.NET's progress channel).</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    internal TrainingOptions LoopOptions()
    {
        TrainingOptions loop = Training.Clone();
        loop.BatchSize = BatchSize;
        loop.Epochs = Epochs;
        loop.LearningRate = LearningRate;
        loop.Validate();
        return loop;
    }

    /// <summary>A copy whose <see cref="Training"/> options are copied too (the validation set and progress sink are shared).</summary>
    public EncoderFineTuningOptions Clone()
    {
        var copy = (EncoderFineTuningOptions)MemberwiseClone();
        copy.Training = Training.Clone();
        return copy;
    }
}
