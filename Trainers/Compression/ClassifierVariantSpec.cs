namespace MLNetExt.Trainers.Compression;

/// <summary>
/// One compressed variant of a fine-tuned classifier for <see cref="ClassifierVariantCompression.Run"/>: importance head
/// pruning with recovery (optional), an inference-time token keep schedule (optional) and int8 weights (optional),
/// applied in that order.
/// </summary>
public sealed record ClassifierVariantSpec
{
    /// <summary>The GLUE task the model was fine-tuned on.</summary>
    public required string Task { get; init; }

    /// <summary>The task's folder (train.tsv for head pruning, the dev file for the measure and the timing).</summary>
    public required string DataFolder { get; init; }

    /// <summary>Share of the attention heads kept, in (0, 1]; 1 (default) prunes none.</summary>
    public double KeepHeadFraction { get; init; } = 1;

    /// <summary>Token keep schedule served (<c>0.8</c>, or one fraction per layer); null (default) prunes no tokens.</summary>
    public string? TokenKeep { get; init; }

    /// <summary>Quantise the weights to int8 (last, after pruning).</summary>
    public bool Int8 { get; init; }

    /// <summary>Training rows used for head pruning (a seeded sample); null for all.</summary>
    public int? MaxTrainRows { get; init; }

    /// <summary>Batches over which head importance is accumulated.</summary>
    public int ImportanceBatches { get; init; } = 32;

    /// <summary>Recovery epochs after head pruning.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Batch size of importance scoring and recovery.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Recovery learning rate.</summary>
    public double LearningRate { get; init; } = 5e-5;

    /// <summary>Seed of the sample, the batch order and the initialisation.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// A model.zip holding the head-pruned, recovered fp32 classifier: read instead of pruning again when it exists,
    /// written after pruning when it does not (so variants that differ only in token keep or int8 prune once). Null: no cache.
    /// </summary>
    public string? PrunedModelCache { get; init; }

    /// <summary>Where the variant's model.zip is written. Required.</summary>
    public required string OutputPath { get; init; }

    /// <summary>Timed rounds over the dev set per model, alternating with the original (best kept).</summary>
    public int SpeedRounds { get; init; } = 2;
}
