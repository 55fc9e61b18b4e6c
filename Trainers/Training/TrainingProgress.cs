namespace MLNetExt.Trainers.Training;

/// <summary>A report after each optimisation step.</summary>
/// <param name="Step">Steps done so far (1-based).</param>
/// <param name="TotalSteps">Steps the run will make.</param>
/// <param name="Epoch">Zero-based epoch of the step.</param>
/// <param name="Loss">Loss of this step's batch.</param>
/// <param name="LearningRate">Learning rate used for the step.</param>
/// <param name="RowsPerSecond">Training rows per second over this run so far (excluding evaluation and checkpoints).</param>
/// <param name="Metrics">Evaluation metrics, when this step ended with an evaluation; otherwise null.</param>
public sealed record TrainingProgress(int Step, int TotalSteps, int Epoch, double Loss, double LearningRate, double RowsPerSecond,
    IReadOnlyDictionary<string, double>? Metrics)
{
    /// <summary>Wall-clock seconds since this process started (or resumed) the run, evaluations and checkpoints included.</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>
    /// Estimated wall-clock seconds to the last step: the steps left times the mean wall time per step so far in this
    /// process (evaluations and checkpoints included, so it settles once they have happened a few times).
    /// </summary>
    public double SecondsRemaining { get; init; }
}

/// <summary>What a run did.</summary>
public sealed class TrainingResult
{
    /// <summary>Steps done in total (including those before a resume).</summary>
    public int Steps { get; init; }

    /// <summary>The step the run resumed from (0 when it started fresh).</summary>
    public int ResumedFromStep { get; init; }

    /// <summary>Whether early stopping ended the run.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>Every evaluation, in order: the step and its metrics.</summary>
    public IReadOnlyList<(int Step, IReadOnlyDictionary<string, double> Metrics)> Evaluations { get; init; } = [];

    /// <summary>The step whose evaluation had the best primary metric (0 when the task does not evaluate).</summary>
    public int BestStep { get; init; }

    /// <summary>The best primary metric (NaN when the task does not evaluate).</summary>
    public double BestMetric { get; init; } = double.NaN;

    /// <summary>
    /// Whether the module ends with the weights of <see cref="BestStep"/> (<see cref="TrainingOptions.KeepBestModel"/>)
    /// rather than those of the last step.
    /// </summary>
    public bool RestoredBestModel { get; init; }

    /// <summary>Mean loss of the steps run in this process.</summary>
    public double MeanLoss { get; init; }

    /// <summary>Seconds spent in optimisation steps in this process.</summary>
    public double TrainingSeconds { get; init; }

    /// <summary>Seconds of those spent preparing batches in managed code (outside libtorch).</summary>
    public double BatchPreparationSeconds { get; init; }

    /// <summary>Rows trained per second in this process.</summary>
    public double RowsPerSecond { get; init; }

    /// <summary>libtorch threads the run used: <see cref="TrainingOptions.Threads"/>, one per core when 0, or on resume the count the checkpoint was written with.</summary>
    public int Threads { get; init; }
}
