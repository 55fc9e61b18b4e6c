using Microsoft.ML;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Estimators.Tuners;

namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// What a <see cref="TextSweep"/> found: the chosen model (the best of the sweep's trials and the zero-training
/// baselines on validation), each baseline and the library-default pipeline beside it, the optional refit model,
/// test scores when a test file was given, and how the sweep ended.
/// </summary>
public sealed class TextSweepResult
{
    /// <summary>What was swept.</summary>
    public required TextSweepOptions Options { get; init; }

    /// <summary>The metric optimised.</summary>
    public required string Metric { get; init; }

    /// <summary>Rows the candidates were fitted on.</summary>
    public required long TrainRows { get; init; }

    /// <summary>The validation rows, in words (a file and its row count, or the held-out share).</summary>
    public required string ValidationDescription { get; init; }

    /// <summary>Rows of the test file, or null without one.</summary>
    public long? TestRows { get; init; }

    /// <summary>The searched pipeline (describes a trial's configuration).</summary>
    public required SweepablePipeline Pipeline { get; init; }

    /// <summary>Every trial of the sweep, resumed ones included.</summary>
    public required IReadOnlyList<TrialResult> Trials { get; init; }

    /// <summary>How many trials were read back from the checkpoint.</summary>
    public int ResumedTrials { get; init; }

    /// <summary>Why the sweep ended.</summary>
    public SweepStopReason StopReason { get; init; }

    /// <summary>The tuner's arms that converged, in order (their budget went to the other arms).</summary>
    public IReadOnlyList<ConvergedArm> ConvergedArms { get; init; } = [];

    /// <summary>Seconds spent on the baselines (before the sweep, outside its time budget).</summary>
    public double BaselineSeconds { get; init; }

    /// <summary>Seconds the sweep's trials ran.</summary>
    public double SweepSeconds { get; init; }

    /// <summary>The best trial of the sweep.</summary>
    public required SweepCandidate SweepBest { get; init; }

    /// <summary>The zero-training baselines, in the order they were scored.</summary>
    public IReadOnlyList<SweepCandidate> Baselines { get; init; } = [];

    /// <summary>
    /// The chosen candidate: <see cref="SweepBest"/>, unless the best of <see cref="Baselines"/> does at least as well on
    /// validation or the trial's lead is within the validation noise (see <see cref="BaselineComparison"/>).
    /// </summary>
    public required SweepCandidate Chosen { get; init; }

    /// <summary>How the best trial and the best baseline were weighed; null without baselines.</summary>
    public BaselineComparison? BaselineComparison { get; init; }

    /// <summary>The sweep's best pipeline with library defaults, when it was scored (fine-tuning's defaults are not rerun).</summary>
    public SweepCandidate? LibraryDefaults { get; init; }

    /// <summary>The chosen configuration refitted on training + validation rows, when asked for; it is then the saved model.</summary>
    public SweepCandidate? Refit { get; init; }

    /// <summary>The saved model file.</summary>
    public required string ModelPath { get; init; }

    /// <summary>The saved model: <see cref="Refit"/>'s when there is one, else <see cref="Chosen"/>'s.</summary>
    public required ITransformer Model { get; init; }

    /// <summary>The first training row's text columns (a sample input).</summary>
    public required IReadOnlyList<string> SampleText { get; init; }
}
