using System.Globalization;
using System.Text;
using System.Text.Json;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.Pipelines;

namespace MLNetExt.Cli.Commands.Auto;

/// <summary>The metrics report of an <c>auto</c> run (a <see cref="TextSweepResult"/>), as <c>metrics.json</c> and <c>metrics.md</c>.</summary>
internal sealed class AutoReport(TextSweepResult result)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void Write(string folder)
    {
        AutoFiles.WriteAllTextAtomic(Path.Combine(folder, "metrics.json"), JsonSerializer.Serialize(ToJson(), JsonOptions));
        AutoFiles.WriteAllTextAtomic(Path.Combine(folder, "metrics.md"), ToMarkdown());
    }

    private TextSweepOptions Options => result.Options;

    private object ToJson() => new
    {
        task = Options.Task.ToString(),
        dataset = Options.Dataset,
        trainRows = result.TrainRows,
        validation = result.ValidationDescription,
        labelColumn = Options.LabelColumn,
        textColumns = Options.TextColumns,
        metric = result.Metric,
        tuner = Options.Tuner,
        timeBudgetSeconds = Options.TimeSeconds,
        baselineSeconds = result.BaselineSeconds,
        sweepSeconds = result.SweepSeconds,
        stopReason = result.StopReason.ToString(),
        convergedArms = result.ConvergedArms,
        trials = result.Trials.Count,
        failedTrials = result.Trials.Count(t => t.IsFailed),
        cancelledTrials = result.Trials.Count(t => t.IsCancelled),
        best = new
        {
            kind = result.Chosen.Kind.ToString(),
            trialId = result.Chosen.TrialId,
            pipeline = result.Chosen.Pipeline,
            parameter = result.Chosen.TrialId is int id ? result.Trials.First(t => t.TrialSettings.TrialId == id).TrialSettings.Parameter : null,
            metrics = result.Chosen.Validation,
            test = result.Chosen.Test,
            seconds = result.Chosen.Seconds,
        },
        sweepBest = result.SweepBest,
        baselines = result.Baselines,
        baselineComparison = result.BaselineComparison,
        libraryDefaults = result.LibraryDefaults,
        refit = result.Refit,
        testRows = result.TestRows,
        allTrials = result.Trials.Select(t => new
        {
            trialId = t.TrialSettings.TrialId,
            pipeline = result.Pipeline.Describe(t.TrialSettings.Parameter),
            metric = t.Metric,
            seconds = t.DurationInMilliseconds / 1000,
            peakMemoryMiB = t.PeakMemoryInMegaByte,
            error = t.Error,
        }),
    };

    private string ToMarkdown()
    {
        var md = new StringBuilder();
        var trials = result.Trials;
        md.AppendLine(CultureInfo.InvariantCulture, $"# auto {(Options.Task == SweepTask.Classification ? "classify" : "regress")}: {Path.GetFileName(Options.Dataset)}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- training rows: {result.TrainRows}; validation: {result.ValidationDescription}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- label `{Options.LabelColumn}`, text {string.Join(", ", Options.TextColumns.Select(c => $"`{c}`"))}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- optimised {result.Metric} with the {Options.Tuner} tuner for {Options.TimeSeconds} s (the {result.Baselines.Count} baselines took {result.BaselineSeconds:F0} s more): " +
            $"{trials.Count} trials, {trials.Count(t => t.IsFailed)} failed ({trials.Count(t => t.IsCancelled)} of them cut by the time budget); stopped by {StopText()}");
        foreach (var arm in result.ConvergedArms)
            md.AppendLine(CultureInfo.InvariantCulture, $"- converged arm: `{arm.Arm}` after {arm.Trials} trials (at trial {arm.AtTrialId}; best {result.Metric} {F(Math.Abs(arm.BestLoss))}); no more trials went to it");
        SweepCandidate chosen = result.Chosen;
        string why = result.BaselineComparison?.Describe(result.Metric) ?? $"trial {chosen.TrialId}, the best on validation";
        string refit = result.Refit is null ? "" : "; saved refitted on training + validation rows";
        md.AppendLine(CultureInfo.InvariantCulture, $"- chosen: `{chosen.Pipeline}` ({why}){refit}");
        md.AppendLine();

        var names = chosen.Validation.Count > 0 ? chosen.Validation.Keys.ToList() : SweepMetrics.Names(Options.Task).ToList();
        md.AppendLine("| configuration | " + string.Join(" | ", names) + " |");
        md.AppendLine("|---|" + string.Concat(names.Select(_ => "---|")));
        foreach (var (label, candidate) in Rows())
            md.AppendLine($"| validation: {label} | " + Cells(candidate.Error is null ? candidate.Validation : null, names) + " |");
        if (result.TestRows is long testRows)
        {
            foreach (var (label, candidate) in Rows().Select(r => (r.Label, (SweepCandidate?)r.Candidate)).Append(("refitted on training + validation", result.Refit)))
                if (candidate is not null)
                    md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| test ({Path.GetFileName(Options.Test)}, {testRows} rows): {label} | ") + Cells(candidate.Test, names) + " |");
        }
        md.AppendLine();
        md.AppendLine("## Trials (best first)");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"| trial | pipeline | {result.Metric} | seconds | peak MiB |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var t in trials.OrderBy(t => t.Loss).Take(20))
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {t.TrialSettings.TrialId} | `{result.Pipeline.Describe(t.TrialSettings.Parameter)}` | {(t.IsFailed ? "failed: " + t.Error : F(t.Metric))} | {t.DurationInMilliseconds / 1000:F1} | {t.PeakMemoryInMegaByte:F0} |");
        return md.ToString();
    }

    // The compared candidates in report order: the sweep's best, the baselines, the library defaults; the chosen one marked.
    private IEnumerable<(string Label, SweepCandidate Candidate)> Rows()
    {
        string Mark(SweepCandidate c) => ReferenceEquals(c, result.Chosen) ? " **(chosen)**" : "";
        yield return ($"sweep best, trial {result.SweepBest.TrialId}{Mark(result.SweepBest)}", result.SweepBest);
        foreach (SweepCandidate b in result.Baselines)
            yield return ($"baseline `{b.Pipeline}`{Mark(b)}{(b.Error is null ? "" : " failed: " + b.Error)}", b);
        if (result.LibraryDefaults is not null)
            yield return ("same pipeline, library defaults", result.LibraryDefaults);
    }

    private string StopText() => result.StopReason switch
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
