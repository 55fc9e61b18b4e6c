using MLNetExt.Estimators.Pipelines;
using MLNetExt.Estimators.Tuners;

namespace MLNetExt.Estimators.Experiments;

/// <summary>What <see cref="TextSweep"/> sweeps: the data files, the columns, the candidates, the budget and the extras.</summary>
public sealed class TextSweepOptions
{
    /// <summary>Training data: a TSV file with a header (CSV when the name ends in .csv). Required.</summary>
    public string Dataset { get; set; } = "";

    /// <summary>Validation data (same columns); null: 20% of <see cref="Dataset"/> is held out.</summary>
    public string? Validation { get; set; }

    /// <summary>Test data kept out of the sweep, on which the chosen model, the baselines and the refit model are scored at the end; null for none.</summary>
    public string? Test { get; set; }

    /// <summary>Header name of the label column. Required.</summary>
    public string LabelColumn { get; set; } = "";

    /// <summary>Header names of the text columns (two for a sentence pair). Required.</summary>
    public IReadOnlyList<string> TextColumns { get; set; } = [];

    /// <summary>Classification or regression.</summary>
    public SweepTask Task { get; set; }

    /// <summary>The metric to optimise (see <see cref="SweepMetrics.Names"/>); null: the task's first.</summary>
    public string? Metric { get; set; }

    /// <summary>Time budget of the sweep's trials in seconds (default 60); the baselines, refit and test scoring come on top.</summary>
    public double TimeSeconds { get; set; } = 60;

    /// <summary>Most sweep trials in all, resumed ones included; null: no limit.</summary>
    public int? MaxTrials { get; set; }

    /// <summary>Read only the first rows of <see cref="Dataset"/>; null: all.</summary>
    public int? MaxRows { get; set; }

    /// <summary>Tuner name (see <see cref="TunerFactory.Names"/>; default <c>eci</c>).</summary>
    public string Tuner { get; set; } = "eci";

    /// <summary>Trainer names (null: the stock trainers of the task; see <see cref="TextSweepPipelines.Create"/>).</summary>
    public IReadOnlyList<string>? Trainers { get; set; }

    /// <summary>Featurizer names (null: all; see <see cref="TextSweepPipelines.FeaturizerNames"/>).</summary>
    public IReadOnlyList<string>? Featurizers { get; set; }

    /// <summary>Seed of the split, the tuner and the trainers (default 0).</summary>
    public int Seed { get; set; }

    /// <summary>
    /// Score the zero-training baselines (see <c>SweepBaselines</c>) as candidates (default true): the sweep returns
    /// one of them when it beats every trial on validation.
    /// </summary>
    public bool Baselines { get; set; } = true;

    /// <summary>
    /// How sure the validation rows must make the sweep that its best trial beats the best zero-training baseline before
    /// the trial is returned instead (default 0.95): the share of paired bootstrap resamples of the validation rows
    /// (<see cref="PairedBootstrap"/>) on which the trial's metric is better. A trial that is better on a few hundred
    /// validation rows by less than their noise is as likely to be worse on new data, and the baseline is the simpler,
    /// untrained model. 0: the better on validation is returned (a baseline wins ties).
    /// </summary>
    public double BaselineConfidence { get; set; } = 0.95;

    /// <summary>
    /// Fit the chosen configuration again on the training and validation rows together before saving (default false).
    /// The refit model is what is saved; it can only be scored on <see cref="Test"/>.
    /// </summary>
    public bool Refit { get; set; }

    /// <summary>When an arm of the <c>eci</c> tuner has converged (null: the defaults).</summary>
    public ConvergenceRule? Convergence { get; set; }

    /// <summary>Output folder: <c>model.zip</c> and the checkpoint folder <c>sweep</c> (running again resumes). Required.</summary>
    public string OutputFolder { get; set; } = "";

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Dataset))
            throw new ArgumentException("A dataset file is required.", nameof(Dataset));
        if (string.IsNullOrWhiteSpace(LabelColumn))
            throw new ArgumentException("A label column is required.", nameof(LabelColumn));
        if (TextColumns is null || TextColumns.Count == 0)
            throw new ArgumentException("At least one text column is required.", nameof(TextColumns));
        if (string.IsNullOrWhiteSpace(OutputFolder))
            throw new ArgumentException("An output folder is required.", nameof(OutputFolder));
        if (!(TimeSeconds > 0))
            throw new ArgumentOutOfRangeException(nameof(TimeSeconds), $"The time budget must be positive; got {TimeSeconds}.");
        if (MaxTrials is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxTrials), $"At least one trial is needed; got {MaxTrials}.");
        if (!TunerFactory.Names.Contains(Tuner.ToLowerInvariant()))
            throw new ArgumentException($"Unknown tuner '{Tuner}'; expected one of {string.Join(", ", TunerFactory.Names)}.", nameof(Tuner));
        if (!(BaselineConfidence >= 0 && BaselineConfidence < 1))
            throw new ArgumentOutOfRangeException(nameof(BaselineConfidence), $"The baseline confidence must be in [0, 1); got {BaselineConfidence}.");
        SweepMetrics.Check(Metric ?? SweepMetrics.Names(Task)[0], Task);
    }
}
