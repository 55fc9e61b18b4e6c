namespace MLNetExt.Trainers.Compression;

/// <summary>What <see cref="TokenPruningCompression.Run"/> makes and measures (the settings of <c>mlnetext train prune-tokens</c>).</summary>
public sealed record TokenPruningSpec
{
    /// <summary>A fine-tuned model saved by <c>EncoderFineTuningTransformer.Save</c> (e.g. <c>train classify --out</c>'s model.zip).</summary>
    public required string ModelPath { get; init; }

    /// <summary>The GLUE task the model was fine-tuned on (SST-2, MRPC, ...).</summary>
    public required string Task { get; init; }

    /// <summary>The task's folder (train.tsv for the schedule fine-tuning, the dev file for the curve).</summary>
    public required string DataFolder { get; init; }

    /// <summary>The schedule to fine-tune for (<see cref="TokenPruningOptions.TargetSchedule"/>); null measures the model as it is, without training.</summary>
    public string? TargetSchedule { get; init; }

    /// <summary>The schedules of the speed/accuracy curve, each measured on the dev set against the unpruned input model.</summary>
    public IReadOnlyList<string> CurveSchedules { get; init; } = ["1", "0.9", "0.8", "0.7", "1,0.7,0.6,0.5,0.4,0.4"];

    /// <summary>Share of training batches on the target schedule (<see cref="TokenPruningOptions.TargetShare"/>).</summary>
    public double TargetShare { get; init; } = 0.5;

    /// <summary>Weight of distillation from the unpruned model (<see cref="TokenPruningOptions.DistillationWeight"/>).</summary>
    public double DistillationWeight { get; init; } = 0.5;

    /// <summary>Distillation temperature (<see cref="TokenPruningOptions.Temperature"/>).</summary>
    public double Temperature { get; init; } = 2;

    /// <summary>Training rows used (a seeded sample); null for all.</summary>
    public int? MaxTrainRows { get; init; }

    /// <summary>Epochs of the schedule fine-tuning.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Rows per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 2e-5;

    /// <summary>Length-bucketed batches of the fine-tuning (<see cref="Training.TrainingOptions.LengthBucketBatches"/>); 0 for none.</summary>
    public int LengthBucketBatches { get; init; }

    /// <summary>Seed of the sample, the batch order and the schedule draws.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Checkpoint folder of the fine-tuning (a rerun with the same settings resumes); null for none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Folder the fine-tuned model.zip is written to; required with <see cref="TargetSchedule"/>.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Timed rounds over the dev set per model (best kept), alternating order.</summary>
    public int SpeedRounds { get; init; } = 2;

    /// <summary>
    /// Write <c>speed_quality.png</c> (dev metric vs measured speed-up of the unpruned model and every schedule) into
    /// <see cref="OutputDirectory"/>; nothing is drawn without an output folder. Default true.
    /// </summary>
    public bool Plot { get; init; } = true;
}
