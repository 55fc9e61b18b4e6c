namespace MLNetExt.Trainers.Glue;

/// <summary>The fine-tuned encoder's dev scores and training figures (<see cref="GlueBenchmark"/>).</summary>
public sealed record FineTunedGlueResult
{
    /// <summary>The task's GLUE measures on dev, by name (0-1).</summary>
    public required IReadOnlyDictionary<string, double> Dev { get; init; }

    /// <summary>Wall time of <c>Fit</c> (loading, training, export).</summary>
    public double FitSeconds { get; init; }

    /// <summary>CPU seconds this process spent in <c>Fit</c> (on a shared machine, wall time also counts other processes' load).</summary>
    public double FitCpuSeconds { get; init; }

    /// <summary>The 1-minute load average after the fit (Linux); null where unknown.</summary>
    public double? LoadAverage1m { get; init; }

    /// <summary>Seconds spent in training steps.</summary>
    public double TrainingStepSeconds { get; init; }

    /// <summary><see cref="TrainingStepSeconds"/> per epoch.</summary>
    public double SecondsPerEpoch { get; init; }

    /// <summary>Sentences per second in training (two per row for pair tasks).</summary>
    public double TrainingSentencesPerSecond { get; init; }

    /// <summary>Rows per second in training.</summary>
    public double TrainingRowsPerSecond { get; init; }

    /// <summary>Share of step time spent preparing batches (tokenising, padding).</summary>
    public double BatchPreparationFraction { get; init; }

    /// <summary>Mean training loss; null when no step ran (a run resumed from its final checkpoint).</summary>
    public double? MeanLoss { get; init; }

    /// <summary>Optimisation steps taken (in total, resumed ones included).</summary>
    public int Steps { get; init; }

    /// <summary>The checkpoint step the run resumed from (0: a fresh run).</summary>
    public int ResumedFromStep { get; init; }

    /// <summary>Seconds to predict the dev rows.</summary>
    public double DevInferenceSeconds { get; init; }

    /// <summary>Whether only the head was trained.</summary>
    public bool FreezeEncoder { get; init; }

    /// <summary>The dev measure scored during training (<see cref="GlueBenchmarkOptions.ValidateOnDev"/>); null when dev was scored only at the end.</summary>
    public string? ValidationMetric { get; init; }

    /// <summary>Each evaluation during training: the step and the dev measures then (empty without <see cref="GlueBenchmarkOptions.ValidateOnDev"/>).</summary>
    public IReadOnlyList<GlueEvaluationPoint> Evaluations { get; init; } = [];

    /// <summary>The step whose weights the model ends with: the best evaluation's when it was kept, else the last step.</summary>
    public int FinalStep { get; init; }
}
