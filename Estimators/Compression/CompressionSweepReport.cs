using System.Globalization;
using System.Text;
using System.Text.Json;
using MLNetExt.Evaluation.Reports;
using MLNetExt.Transforms.IO;

namespace MLNetExt.Estimators.Compression;

/// <summary>
/// Writes a compression sweep's report: <c>report.md</c> (the trials table and the choice), <c>report.json</c> and
/// <c>speed_quality.png</c> (quality vs the constrained speed-up of the original and every measured trial).
/// </summary>
public static class CompressionSweepReport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Writes the files into <paramref name="folder"/>, atomically; returns the markdown file's path.</summary>
    public static string Write(CompressionSweepResult result, string folder)
    {
        ArgumentNullException.ThrowIfNull(result);
        string markdown = Path.GetFullPath(Path.Combine(folder, "report.md"));
        AtomicFile.WriteAllText(Path.Combine(folder, "report.json"), JsonSerializer.Serialize(result, Json));
        AtomicFile.WriteAllText(markdown, Markdown(result));
        SpeedQualityPoint[] points = PlotPoints(result);
        if (points.Length > 0)
            SpeedQualityPlot.Save(points, result.QualityMeasure, Path.Combine(folder, "speed_quality.png"));
        return markdown;
    }

    /// <summary>The original at 1x and every trial that was measured, at the speed-up the constraint reads.</summary>
    internal static SpeedQualityPoint[] PlotPoints(CompressionSweepResult result)
    {
        var points = new List<SpeedQualityPoint>();
        foreach (CompressionTrial t in result.Trials)
            if (t is { Error: null, Quality: double quality, ConstrainedSpeedup: double speedup })
                points.Add(new SpeedQualityPoint($"{t.TrialId}: {t.Description}{(t.TrialId == result.Chosen?.TrialId ? " (chosen)" : "")}", speedup, quality)
                {
                    Tag = t.TrialId == result.Chosen?.TrialId ? $"{t.TrialId} (chosen)" : $"{t.TrialId}",
                });
        if (points.Count > 0 && result.OriginalQuality is double original)
            points.Insert(0, new SpeedQualityPoint("original", 1, original));
        return [.. points];
    }

    /// <summary>The report as markdown.</summary>
    public static string Markdown(CompressionSweepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        string measure = result.SpeedMeasure == CompressionSpeedMeasure.Cpu ? "per CPU-second" : "wall-clock";
        text.AppendLine(CultureInfo.InvariantCulture, $"# Compression sweep of {result.Model}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Best quality ({result.QualityMeasure}) at >= {result.MinSpeedup:0.##}x the original's speed ({measure}, measured against the original in each trial).");
        string resumed = result.ResumedTrials > 0 ? $" ({result.ResumedTrials} from the checkpoint)" : "";
        text.AppendLine(CultureInfo.InvariantCulture, $"Original: quality {Format(result.OriginalQuality)}. {result.Trials.Count} trials{resumed}, {result.Trials.Where(t => t.Error is null).Select(t => t.Configuration).Distinct().Count()} of {result.SearchSpaceSize} configurations measured; stopped: {result.StopReason}; {result.Seconds:0} s.");
        text.AppendLine();
        text.AppendLine("| trial | configuration | speed-up (wall) | speed-up (per CPU-s) | quality | feasible | MiB | seconds | |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (CompressionTrial t in result.Trials)
        {
            string feasible = t.Error is null ? t.Feasible ? "yes" : "no" : "failed";
            string size = t.SizeBytes is long b ? (b / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) : "-";
            string note = t.TrialId == result.Chosen?.TrialId ? "**chosen**" : t.Error ?? "";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {t.TrialId} | {t.Description} | {Format(t.Speedup, "x")} | {Format(t.SpeedupCpu, "x")} | {Format(t.Quality)} | {feasible} | {size} | {t.Seconds:0} | {note} |");
        }
        text.AppendLine();
        text.AppendLine(result.Chosen is { } c
            ? string.Create(CultureInfo.InvariantCulture, $"Chosen: trial {c.TrialId} ({c.Description}), quality {Format(c.Quality)} at {Format(c.ConstrainedSpeedup, "x")}; written to {result.ModelPath}.")
            : $"Nothing chosen: {result.Message}");
        return text.ToString();
    }

    private static string Format(double? value, string suffix = "") =>
        value is double v ? v.ToString("0.00", CultureInfo.InvariantCulture) + suffix : "-";
}
