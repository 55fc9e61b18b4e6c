using MLNetExt.Trainers.Training;

namespace MLNetExt.Trainers.CrossModal;

/// <summary>How the feature tower is built and what is trained.</summary>
public enum CrossModalMode
{
    /// <summary>
    /// CLIP with CellCLIP's channel encoder: the feature tower (channel projections, channel embeddings, a small
    /// transformer over the channels) and a linear projection of the frozen text embeddings are trained, with a learnable temperature.
    /// </summary>
    ChannelEncoder,

    /// <summary>
    /// LiMBeR (Merullo et al. 2023, "Linearly Mapping from Image to Text Space"): both towers stay frozen and one linear
    /// map takes the (standardised, concatenated) features into the text encoder's space.
    /// </summary>
    LinearMap,
}

/// <summary>Options of <see cref="CrossModalAligner"/>.</summary>
public sealed class CrossModalAlignmentOptions
{
    /// <summary>The feature tower and what is trained. Default <see cref="CrossModalMode.ChannelEncoder"/>.</summary>
    public CrossModalMode Mode { get; set; } = CrossModalMode.ChannelEncoder;

    /// <summary>Width of the joint space (channel-encoder mode; the linear map uses the text width).</summary>
    public int JointWidth { get; set; } = 128;

    /// <summary>Width of the channel tokens.</summary>
    public int ChannelWidth { get; set; } = 64;

    /// <summary>Transformer layers over the channels.</summary>
    public int Layers { get; set; } = 1;

    /// <summary>Probability of dropping each channel of a training sample (at least one is kept), so the tower learns to work with channels missing.</summary>
    public double ChannelDropout { get; set; } = 0.2;

    /// <summary>Rows per step; batches never hold two rows with the same caption (no false in-batch negatives).</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Passes over the training rows.</summary>
    public int Epochs { get; set; } = 20;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Further loop settings (seed, weight decay, warmup, checkpoints).</summary>
    public TrainingOptions Training { get; set; } = new() { WeightDecay = 0.01 };

    /// <summary>Receives a report after every step.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    internal void Validate()
    {
        if (JointWidth < 1) throw new ArgumentOutOfRangeException(nameof(JointWidth), JointWidth, "JointWidth must be at least 1.");
        if (ChannelWidth < 4 || ChannelWidth % 4 != 0) throw new ArgumentOutOfRangeException(nameof(ChannelWidth), ChannelWidth, "ChannelWidth must be a positive multiple of 4 (the heads).");
        if (Layers < 1) throw new ArgumentOutOfRangeException(nameof(Layers), Layers, "Layers must be at least 1.");
        if (ChannelDropout is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(ChannelDropout), ChannelDropout, "ChannelDropout must be in [0, 1).");
        if (BatchSize < 2) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 2 (in-batch negatives).");
    }
}
