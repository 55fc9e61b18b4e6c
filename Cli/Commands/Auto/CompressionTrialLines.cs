using System.Globalization;
using MLNetExt.Estimators.Compression;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.Tuners;
using Spectre.Console;

namespace MLNetExt.Cli.Commands.Auto;

/// <summary>One line per compression trial as it starts and ends: configuration, speed-up, quality.</summary>
internal sealed class CompressionTrialLines : IMonitor
{
    public void ReportRunningTrial(TrialSettings settings) =>
        AnsiConsole.MarkupLine($"[bold]trial {settings.TrialId}[/]: {Markup.Escape(Describe(settings))}");

    public void ReportCompletedTrial(TrialResult result, bool resumed) =>
        AnsiConsole.MarkupLine(Markup.Escape(FormattableString.Invariant(
            $"trial {result.TrialSettings.TrialId} ({Describe(result.TrialSettings)}): speed-up {result.Metrics["speedup"]:0.00}x wall, {result.Metrics["speedup_cpu"]:0.00}x per CPU-s; quality {result.Metric:0.00}; {result.DurationInMilliseconds / 1000:0} s{(resumed ? " (from the checkpoint)" : "")}")));

    public void ReportFailTrial(TrialSettings settings, Exception exception) =>
        AnsiConsole.MarkupLine($"trial {settings.TrialId} [red]failed[/]: {Markup.Escape(exception.Message)}");

    public void ReportBestTrial(TrialResult result)
    {
    }

    private static string Describe(TrialSettings settings)
    {
        var c = CompressionConfiguration.FromParameter(settings.Parameter);
        return $"layers {c.Layers}, heads {c.HeadsKept.ToString(CultureInfo.InvariantCulture)}, {(c.Int8 ? "int8" : "fp32")}{(c.PrunesTokens ? $", token keep {c.TokenKeep}" : "")}";
    }
}
