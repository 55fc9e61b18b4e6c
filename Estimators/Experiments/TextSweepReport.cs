using System.Globalization;
using System.Text;
using System.Text.Json;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Transforms.IO;

namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// The metrics report of a <see cref="TextSweep"/> (what <c>mlnetext auto</c> writes): the chosen model and why, the
/// sweep's best, each baseline and the library defaults on validation and test, the converged arms and the trials, as
/// <c>metrics.json</c> and <c>metrics.md</c>.
/// </summary>
public sealed class TextSweepReport
{
    private readonly TextSweepResult _result;

    /// <summary>Creates the report of <paramref name="result"/>.</summary>
    public TextSweepReport(TextSweepResult result) => _result = result ?? throw new ArgumentNullException(nameof(result));

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes <c>metrics.json</c> and <c>metrics.md</c> into <paramref name="folder"/> (each atomically).</summary>
    public void Write(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "metrics.json"), ToJson());
        AtomicFile.WriteAllText(Path.Combine(folder, "metrics.md"), ToMarkdown());
    }

    /// <summary>The report as indented JSON (<c>metrics.json</c>).</summary>
    public string ToJson() => JsonSerializer.Serialize(JsonModel(), JsonOptions);

    private TextSweepOptions Options => _result.Options;

    private object JsonModel() => new
    {
        task = Options.Task.ToString(),
        dataset = Options.Dataset,
        trainRows = _result.TrainRows,
        validation = _result.ValidationDescription,
        labelColumn = Options.LabelColumn,
        textColumns = Options.TextColumns,
        metric = _result.Metric,
        tuner = Options.Tuner,
        timeBudgetSeconds = Options.TimeSeconds,
        baselineSeconds = _result.BaselineSeconds,
        sweepSeconds = _result.SweepSeconds,
        stopReason = _result.StopReason.ToString(),
        convergedArms = _result.ConvergedArms,
        trials = _result.Trials.Count,
        failedTrials = _result.Trials.Count(t => t.IsFailed),
        cancelledTrials = _result.Trials.Count(t => t.IsCancelled),
        best = new
        {
            kind = _result.Chosen.Kind.ToString(),
            trialId = _result.Chosen.TrialId,
            pipeline = _result.Chosen.Pipeline,
            parameter = _result.Chosen.TrialId is int id ? _result.Trials.First(t => t.TrialSettings.TrialId == id).TrialSettings.Parameter : null,
            metrics = _result.Chosen.Validation,
            test = _result.Chosen.Test,
            seconds = _result.Chosen.Seconds,
        },
        sweepBest = _result.SweepBest,
        baselines = _result.Baselines,
        baselineComparison = _result.BaselineComparison,
        libraryDefaults = _result.LibraryDefaults,
        refit = _result.Refit,
        testRows = _result.TestRows,
        allTrials = _result.Trials.Select(t => new
        {
            trialId = t.TrialSettings.TrialId,
            pipeline = _result.Pipeline.Describe(t.TrialSettings.Parameter),
            metric = t.Metric,
            seconds = t.DurationInMilliseconds / 1000,
            peakMemoryMiB = t.PeakMemoryInMegaByte,
            error = t.Error,
        }),
    };

    /// <summary>The report as Markdown (<c>metrics.md</c>).</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        var trials = _result.Trials;
        md.AppendLine(CultureInfo.InvariantCulture, $"# Text sweep ({(Options.Task == SweepTask.Classification ? "classification" : "regression")}): {Path.GetFileName(Options.Dataset)}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- training rows: {_result.TrainRows}; validation: {_result.ValidationDescription}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- label `{Options.LabelColumn}`, text {string.Join(", ", Options.TextColumns.Select(c => $"`{c}`"))}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- optimised {_result.Metric} with the {Options.Tuner} tuner for {Options.TimeSeconds} s (the {_result.Baselines.Count} baselines took {_result.BaselineSeconds:F0} s more): " +
            $"{trials.Count} trials, {trials.Count(t => t.IsFailed)} failed ({trials.Count(t => t.IsCancelled)} of them cut by the time budget); stopped by {StopText()}");
        foreach (var arm in _result.ConvergedArms)
            md.AppendLine(CultureInfo.InvariantCulture, $"- converged arm: `{arm.Arm}` after {arm.Trials} trials (at trial {arm.AtTrialId}; best {_result.Metric} {F(Math.Abs(arm.BestLoss))}); no more trials went to it");
        SweepCandidate chosen = _result.Chosen;
        string why = _result.BaselineComparison?.Describe(_result.Metric) ?? $"trial {chosen.TrialId}, the best on validation";
        string refit = _result.Refit is null ? "" : "; saved refitted on training + validation rows";
        md.AppendLine(CultureInfo.InvariantCulture, $"- chosen: `{chosen.Pipeline}` ({why}){refit}");
        md.AppendLine();

        var names = chosen.Validation.Count > 0 ? chosen.Validation.Keys.ToList() : SweepMetrics.Names(Options.Task).ToList();
        md.AppendLine("| configuration | " + string.Join(" | ", names) + " |");
        md.AppendLine("|---|" + string.Concat(names.Select(_ => "---|")));
        foreach (var (label, candidate) in Rows())
            md.AppendLine($"| validation: {label} | " + Cells(candidate.Error is null ? candidate.Validation : null, names) + " |");
        if (_result.TestRows is long testRows)
        {
            foreach (var (label, candidate) in Rows().Select(r => (r.Label, (SweepCandidate?)r.Candidate)).Append(("refitted on training + validation", _result.Refit)))
                if (candidate is not null)
                    md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| test ({Path.GetFileName(Options.Test)}, {testRows} rows): {label} | ") + Cells(candidate.Test, names) + " |");
        }
        md.AppendLine();
        md.AppendLine("## Trials (best first)");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"| trial | pipeline | {_result.Metric} | seconds | peak MiB |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var t in trials.OrderBy(t => t.Loss).Take(20))
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {t.TrialSettings.TrialId} | `{_result.Pipeline.Describe(t.TrialSettings.Parameter)}` | {(t.IsFailed ? "failed: " + t.Error : F(t.Metric))} | {t.DurationInMilliseconds / 1000:F1} | {t.PeakMemoryInMegaByte:F0} |");
        return md.ToString();
    }

    // The compared candidates in report order: the sweep's best, the baselines, the library defaults; the chosen one marked.
    private IEnumerable<(string Label, SweepCandidate Candidate)> Rows()
    {
        string Mark(SweepCandidate c) => ReferenceEquals(c, _result.Chosen) ? " **(chosen)**" : "";
        yield return ($"sweep best, trial {_result.SweepBest.TrialId}{Mark(_result.SweepBest)}", _result.SweepBest);
        foreach (SweepCandidate b in _result.Baselines)
            yield return ($"baseline `{b.Pipeline}`{Mark(b)}{(b.Error is null ? "" : " failed: " + b.Error)}", b);
        if (_result.LibraryDefaults is not null)
            yield return ("same pipeline, library defaults", _result.LibraryDefaults);
    }

    private string StopText() => _result.StopReason switch
    {
        SweepStopReason.Converged => "convergence (every arm converged; the rest of the budget was left unused)",
        SweepStopReason.TrialLimit => "the trial limit",
        SweepStopReason.Cancelled => "cancellation",
        _ => "the time budget",
    };

    private static string Cells(IReadOnlyDictionary<string, double>? metrics, List<string> names) =>
        string.Join(" | ", names.Select(n => metrics is null ? "-" : F(metrics.GetValueOrDefault(n, double.NaN))));

    private static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
