using MLNetExt.Trainers.Training;

namespace MLNetExt.Trainers.Compression;

/// <summary>One point of the speed/accuracy curve: a keep schedule, its estimated and measured speed-up and its dev metric.</summary>
public sealed record TokenPruningPoint
{
    /// <summary>The keep schedule, one fraction per layer.</summary>
    public required string Schedule { get; init; }

    /// <summary>Mean tokens per dev sentence each layer processes.</summary>
    public required IReadOnlyList<double> TokensPerLayer { get; init; }

    /// <summary>The speed-up the FLOPs of the layers predict (before running).</summary>
    public required double EstimatedSpeedup { get; init; }

    /// <summary>Dev rows per second over the unpruned input model's, same run (wall clock).</summary>
    public required double MeasuredSpeedup { get; init; }

    /// <summary>The same per CPU-second.</summary>
    public required double MeasuredSpeedupCpu { get; init; }

    /// <summary>Dev rows per second.</summary>
    public required double RowsPerSecond { get; init; }

    /// <summary>The task's primary dev metric, in percent.</summary>
    public required double DevPrimary { get; init; }

    /// <summary><see cref="DevPrimary"/> minus the unpruned input model's.</summary>
    public required double DevChange { get; init; }
}

/// <summary>What <see cref="TokenPruningCompression.Run"/> returns.</summary>
public sealed record TokenPruningReport
{
    /// <summary>The GLUE task.</summary>
    public required string Task { get; init; }

    /// <summary>The primary metric's name.</summary>
    public required string Metric { get; init; }

    /// <summary>Dev rows scored and timed.</summary>
    public required int DevRows { get; init; }

    /// <summary>Training rows of the schedule fine-tuning (0 without training).</summary>
    public int TrainRows { get; init; }

    /// <summary>The target schedule fine-tuned for; null when the model was measured as it was.</summary>
    public string? TargetSchedule { get; init; }

    /// <summary>The unpruned input model: rows per second and dev metric.</summary>
    public required double OriginalRowsPerSecond { get; init; }

    /// <summary>The unpruned input model's dev metric, in percent.</summary>
    public required double OriginalDevPrimary { get; init; }

    /// <summary>The curve, one point per schedule, from the fine-tuned model (or the input model without training).</summary>
    public required IReadOnlyList<TokenPruningPoint> Curve { get; init; }

    /// <summary>The schedule fine-tuning's run; null without training.</summary>
    public TrainingResult? Training { get; init; }

    /// <summary>Wall seconds of the schedule fine-tuning (0 without training).</summary>
    public double TrainingSeconds { get; init; }

    /// <summary>Peak working set of the process, MiB (training included).</summary>
    public required double PeakWorkingSetMiB { get; init; }

    /// <summary>The fine-tuned model.zip; null without training.</summary>
    public string? ModelPath { get; init; }

    /// <summary>The speed-versus-quality plot (<c>speed_quality.png</c>); null when none was written.</summary>
    public string? PlotPath { get; init; }
}
