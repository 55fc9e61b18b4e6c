using System.Globalization;
using System.Text;
using System.Text.Json;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Estimators.Tuners;

namespace MLNetExt.Cli.Commands.Auto;

/// <summary>The metrics report of an <c>auto</c> run, as <c>metrics.json</c> and <c>metrics.md</c>.</summary>
internal sealed class AutoReport
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly AutoSettings _settings;
    private readonly SweepTask _task;
    private readonly string _metric;
    private readonly SweepablePipeline _pipeline;
    private readonly IReadOnlyList<TrialResult> _trials;
    private readonly TrialResult _best;
    private readonly TrialResult? _defaults;
    private readonly AutoTestScores? _test;
    private readonly string _validation;
    private readonly long _trainRows;

    public AutoReport(AutoSettings settings, SweepTask task, string metric, SweepablePipeline pipeline, IReadOnlyList<TrialResult> trials,
        TrialResult best, TrialResult? defaults, AutoTestScores? test, string validation, long trainRows)
    {
        _settings = settings;
        _task = task;
        _metric = metric;
        _pipeline = pipeline;
        _trials = trials;
        _best = best;
        _defaults = defaults;
        _test = test;
        _validation = validation;
        _trainRows = trainRows;
    }

    public void Write(string folder)
    {
        AutoFiles.WriteAllTextAtomic(Path.Combine(folder, "metrics.json"), JsonSerializer.Serialize(ToJson(), JsonOptions));
        AutoFiles.WriteAllTextAtomic(Path.Combine(folder, "metrics.md"), ToMarkdown());
    }

    private object ToJson() => new
    {
        task = _task.ToString(),
        dataset = _settings.Dataset,
        trainRows = _trainRows,
        validation = _validation,
        labelColumn = _settings.LabelColumn,
        textColumns = _settings.TextColumnList,
        metric = _metric,
        tuner = _settings.Tuner,
        timeBudgetSeconds = _settings.TimeSeconds,
        trials = _trials.Count,
        failedTrials = _trials.Count(t => t.IsFailed),
        cancelledTrials = _trials.Count(t => t.IsCancelled),
        best = new
        {
            trialId = _best.TrialSettings.TrialId,
            pipeline = _pipeline.Describe(_best.TrialSettings.Parameter),
            parameter = _best.TrialSettings.Parameter,
            metrics = _best.Metrics,
            seconds = _best.DurationInMilliseconds / 1000,
        },
        libraryDefaults = _defaults is null ? null : new
        {
            pipeline = _pipeline.Describe(_best.TrialSettings.Parameter).Split(" + ").Select(p => p[..p.IndexOf('(')] + "(library defaults)").ToArray(),
            metrics = _defaults.Metrics,
        },
        test = _test,
        allTrials = _trials.Select(t => new
        {
            trialId = t.TrialSettings.TrialId,
            pipeline = _pipeline.Describe(t.TrialSettings.Parameter),
            metric = t.Metric,
            seconds = t.DurationInMilliseconds / 1000,
            peakMemoryMiB = t.PeakMemoryInMegaByte,
            error = t.Error,
        }),
    };

    private string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# auto {(_task == SweepTask.Classification ? "classify" : "regress")}: {Path.GetFileName(_settings.Dataset)}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- training rows: {_trainRows}; validation: {_validation}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- label `{_settings.LabelColumn}`, text {string.Join(", ", _settings.TextColumnList.Select(c => $"`{c}`"))}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- optimised {_metric} with the {_settings.Tuner} tuner for {_settings.TimeSeconds} s: {_trials.Count} trials, {_trials.Count(t => t.IsFailed)} failed ({_trials.Count(t => t.IsCancelled)} of them cut by the time budget)");
        md.AppendLine(CultureInfo.InvariantCulture, $"- best: trial {_best.TrialSettings.TrialId}, `{_pipeline.Describe(_best.TrialSettings.Parameter)}`");
        md.AppendLine();
        var names = _best.Metrics.Keys.ToList();
        md.AppendLine("| configuration | " + string.Join(" | ", names) + " |");
        md.AppendLine("|---|" + string.Concat(names.Select(_ => "---|")));
        md.AppendLine("| validation: sweep best | " + string.Join(" | ", names.Select(n => F(_best.Metrics[n]))) + " |");
        if (_defaults is not null)
            md.AppendLine("| validation: same pipeline, library defaults | " + string.Join(" | ", names.Select(n => F(_defaults.Metrics.GetValueOrDefault(n, double.NaN)))) + " |");
        if (_test is not null)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| test: sweep best ({_test.File}, {_test.Rows} rows) | ") + string.Join(" | ", names.Select(n => F(_test.Best.GetValueOrDefault(n, double.NaN)))) + " |");
            if (_test.Defaults is not null)
                md.AppendLine("| test: same pipeline, library defaults | " + string.Join(" | ", names.Select(n => F(_test.Defaults.GetValueOrDefault(n, double.NaN)))) + " |");
        }
        md.AppendLine();
        md.AppendLine("## Trials (best first)");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"| trial | pipeline | {_metric} | seconds | peak MiB |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var t in _trials.OrderBy(t => t.Loss).Take(20))
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {t.TrialSettings.TrialId} | `{_pipeline.Describe(t.TrialSettings.Parameter)}` | {(t.IsFailed ? "failed: " + t.Error : F(t.Metric))} | {t.DurationInMilliseconds / 1000:F1} | {t.PeakMemoryInMegaByte:F0} |");
        return md.ToString();
    }

    private static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
