using System.ComponentModel;
using MLNetExt.Estimators.Tuners;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Auto;

/// <summary>Options shared by <c>auto classify</c> and <c>auto regress</c>.</summary>
public class AutoSettings : CommandSettings
{
    /// <summary>Training data: a TSV (or CSV) file with a header.</summary>
    [CommandOption("--dataset <FILE>")]
    [Description("Training data: a TSV file with a header (CSV when the name ends in .csv).")]
    public string Dataset { get; init; } = "";

    /// <summary>Header name of the label column.</summary>
    [CommandOption("--label-col <NAME>")]
    [Description("Header name of the label column.")]
    public string LabelColumn { get; init; } = "";

    /// <summary>Header names of the text columns, comma-separated.</summary>
    [CommandOption("--text-col <NAMES>")]
    [Description("Header name(s) of the text column(s), comma-separated (e.g. sentence1,sentence2).")]
    public string TextColumns { get; init; } = "";

    /// <summary>Validation data; when absent 20% of the training rows are held out.</summary>
    [CommandOption("--valid <FILE>")]
    [Description("Validation data (same columns); default: hold out 20% of --dataset.")]
    public string? Valid { get; init; }

    /// <summary>Time budget in seconds.</summary>
    [CommandOption("--time <SECONDS>")]
    [Description("Time budget of the sweep in seconds (default 60).")]
    public int TimeSeconds { get; init; } = 60;

    /// <summary>Output folder.</summary>
    [CommandOption("--out <DIR>")]
    [Description("Output folder: model.zip, metrics.md/json, the consumption project, the training notebook ModelTraining.ipynb, and the checkpoint (rerun to resume).")]
    public string Out { get; init; } = "";

    /// <summary>Most trials in all.</summary>
    [CommandOption("--max-trials <N>")]
    [Description("Most trials in all, resumed ones included (default: no limit).")]
    public int? MaxTrials { get; init; }

    /// <summary>Read only the first N training rows.</summary>
    [CommandOption("--max-rows <N>")]
    [Description("Read only the first N rows of --dataset.")]
    public int? MaxRows { get; init; }

    /// <summary>Tuner name.</summary>
    [CommandOption("--tuner <NAME>")]
    [Description("eci (cost-frugal per component choice, default), cfo, tpe, random or grid.")]
    public string Tuner { get; init; } = "eci";

    /// <summary>Metric to optimise.</summary>
    [CommandOption("--metric <NAME>")]
    [Description("Metric to optimise (classify: accuracy, macro-accuracy, log-loss, f1, mcc; regress: r-squared, rmse, mae, pearson, spearman).")]
    public string? Metric { get; init; }

    /// <summary>Trainers to consider, comma-separated.</summary>
    [CommandOption("--trainers <NAMES>")]
    [Description("Trainers to consider, comma-separated: sdca, lbfgs (classification only), fasttree, lightgbm, and finetune " +
        "(fine-tunes all-MiniLM-L6-v2 on one text column or a pair) and, for auto regress on a sentence pair, cosent (trains all-MiniLM-L6-v2 " +
        "with the CoSENT loss and scores a pair by the trained encoder's cosine); these two take minutes per trial, so only when named. Default: the four stock trainers.")]
    public string? Trainers { get; init; }

    /// <summary>Featurizers to consider, comma-separated.</summary>
    [CommandOption("--featurizers <NAMES>")]
    [Description("Featurizers to consider, comma-separated: featurize-text (n-grams), encoder (pretrained sentence encoders). Default: both.")]
    public string? Featurizers { get; init; }

    /// <summary>A test file kept out of the sweep, on which the best and the default pipelines are scored at the end.</summary>
    [CommandOption("--test <FILE>")]
    [Description("Test data kept out of the sweep: the chosen model, the sweep's best, the baselines, the library defaults and the refit model are scored on it at the end.")]
    public string? Test { get; init; }

    /// <summary>Leave out the zero-training baselines.</summary>
    [CommandOption("--no-baselines")]
    [Description("Do not score the zero-training baselines (pair cosine of each pretrained encoder and pooling; majority class; nearest centroid), which are otherwise candidates.")]
    public bool NoBaselines { get; init; }

    /// <summary>How sure validation must be that the best trial beats the best baseline.</summary>
    [CommandOption("--baseline-confidence <P>")]
    [Description("Return the best trial instead of the best zero-training baseline only when it scores better on at least this share " +
        "of paired bootstrap resamples of the validation rows (default 0.95; 0: whichever is better on validation, a baseline winning ties).")]
    public double BaselineConfidence { get; init; } = 0.95;

    /// <summary>Refit the chosen configuration on training + validation rows before saving.</summary>
    [CommandOption("--refit")]
    [Description("Fit the chosen configuration again on the training and validation rows together before saving (scored on --test only).")]
    public bool Refit { get; init; }

    /// <summary>Seed of the tuner and the trainers.</summary>
    [CommandOption("--seed <N>")]
    [Description("Seed of the tuner, the split and the trainers (default 0).")]
    public int Seed { get; init; }

    /// <summary>The text columns as a list.</summary>
    public IReadOnlyList<string> TextColumnList =>
        TextColumns.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Dataset))
            return ValidationResult.Error("--dataset FILE is required.");
        if (!File.Exists(Dataset))
            return ValidationResult.Error($"--dataset: the file '{Dataset}' does not exist.");
        if (Valid is not null && !File.Exists(Valid))
            return ValidationResult.Error($"--valid: the file '{Valid}' does not exist.");
        if (Test is not null && !File.Exists(Test))
            return ValidationResult.Error($"--test: the file '{Test}' does not exist.");
        if (string.IsNullOrWhiteSpace(LabelColumn))
            return ValidationResult.Error("--label-col NAME is required.");
        if (TextColumnList.Count == 0)
            return ValidationResult.Error("--text-col NAME[,NAME2] is required.");
        if (string.IsNullOrWhiteSpace(Out))
            return ValidationResult.Error("--out DIR is required.");
        if (TimeSeconds < 1)
            return ValidationResult.Error($"--time must be at least 1 second; got {TimeSeconds}.");
        if (MaxTrials is < 1)
            return ValidationResult.Error($"--max-trials must be at least 1; got {MaxTrials}.");
        if (MaxRows is < 10)
            return ValidationResult.Error($"--max-rows must be at least 10; got {MaxRows}.");
        if (!(BaselineConfidence >= 0 && BaselineConfidence < 1))
            return ValidationResult.Error($"--baseline-confidence must be at least 0 and below 1; got {BaselineConfidence.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        if (!TunerFactory.Names.Contains(Tuner.ToLowerInvariant()))
            return ValidationResult.Error($"--tuner: unknown tuner '{Tuner}'; expected one of {string.Join(", ", TunerFactory.Names)}.");
        return ValidationResult.Success();
    }
}
