using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.ContextCompression;

/// <summary>Settings of <c>mlContext.Transforms.Text.TrainContextCompressor</c>.</summary>
public sealed class ContextCompressorTrainingOptions
{
    /// <summary>The encoder to start from (at least two layers); null for all-MiniLM-L6-v2.</summary>
    public EncoderModel? Model { get; set; }

    /// <summary>Word pieces per document vector during training, x in {1, 2, 4, 8}. Default 4. Ignored when <see cref="VectorCount"/> is set.</summary>
    public int Ratio { get; set; } = 4;

    /// <summary>A fixed number of vectors per document instead of a ratio; null (default) uses <see cref="Ratio"/>.</summary>
    public int? VectorCount { get; set; }

    /// <summary>Floats per compressed vector (the projector's width); null (default) for the encoder's hidden size.</summary>
    public int? Dimension { get; set; }

    /// <summary>Inner width of the MLP projector; null (default) for four times the hidden size.</summary>
    public int? ProjectorInnerSize { get; set; }

    /// <summary>Word pieces per document, <c>[CLS]</c>/<c>[SEP]</c> included; null for the model's limit.</summary>
    public int? MaxTokens { get; set; }

    /// <summary>Word pieces per query; null for <see cref="MaxTokens"/>.</summary>
    public int? QueryMaxTokens { get; set; }

    /// <summary>
    /// What to do with a text longer than its limit: false (default) refuses it with an error naming the pair, true cuts
    /// it (training on the beginning of long documents, as the single-vector trainer does).
    /// </summary>
    public bool TruncateLongText { get; set; }

    /// <summary>Multiplier of the MaxSim scores in the loss (<see cref="Losses.LateInteractionLoss.Scale"/>). Default 20.</summary>
    public double Scale { get; set; } = 20.0;

    /// <summary>Name of the query column read by <c>Fit</c>. Default "Query".</summary>
    public string QueryColumnName { get; set; } = "Query";

    /// <summary>Name of the document column read by <c>Fit</c> (and compressed by the fitted transformer). Default "Document".</summary>
    public string DocumentColumnName { get; set; } = "Document";

    /// <summary>Name of the vectors column of the fitted transformer. Default "Vectors".</summary>
    public string OutputColumnName { get; set; } = "Vectors";

    /// <summary>Optimiser, schedule, epochs, checkpoints (the shared training loop). Default: batch 32, 1 epoch, learning rate 5e-5.</summary>
    public TrainingOptions Training { get; set; } = new() { BatchSize = 32, Epochs = 1, LearningRate = 5e-5 };

    /// <summary>Receives a report after every step.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Checks the options; the message names the bad one and its value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        ContextPooling.CheckRatio(Ratio, VectorCount);
        if (Dimension is int d && d < 1)
            throw new ArgumentOutOfRangeException(nameof(Dimension), d, $"Dimension must be at least 1; got {d}.");
        if (ProjectorInnerSize is int p && p < 1)
            throw new ArgumentOutOfRangeException(nameof(ProjectorInnerSize), p, $"ProjectorInnerSize must be at least 1; got {p}.");
        if (MaxTokens is int m && m < 3)
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), m, $"MaxTokens must leave room for a word piece besides [CLS] and [SEP]; got {m}.");
        if (QueryMaxTokens is int q && q < 3)
            throw new ArgumentOutOfRangeException(nameof(QueryMaxTokens), q, $"QueryMaxTokens must leave room for a word piece besides [CLS] and [SEP]; got {q}.");
        if (!(Scale > 0))
            throw new ArgumentOutOfRangeException(nameof(Scale), Scale, $"Scale must be positive; got {Scale}.");
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        Training.Validate();
    }

    internal ContextCompressorTrainingOptions Clone()
    {
        var copy = (ContextCompressorTrainingOptions)MemberwiseClone();
        copy.Training = Training.Clone();
        return copy;
    }
}
