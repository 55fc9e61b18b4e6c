using System.Globalization;
using MLNetExt.Estimators.SearchSpaces;
using MLNetExt.Estimators.Tuners;

namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// Writes one line per trial to a <see cref="TextWriter"/>: number, parameters, metric, duration and peak memory,
/// for example <c>trial 3  trainer=sdca l2=0.01  accuracy=0.8123  12.3 s  512 MiB</c>.
/// </summary>
public sealed class TextWriterMonitor : IMonitor
{
    private readonly TextWriter _writer;
    private readonly string _metricName;
    private readonly Func<Parameter, string> _describe;

    /// <summary>Creates the monitor.</summary>
    /// <param name="writer">Where lines go (e.g. <see cref="Console.Out"/>).</param>
    /// <param name="metricName">Name printed before the metric.</param>
    /// <param name="describe">How a configuration is printed (default: its leaves as name=value).</param>
    public TextWriterMonitor(TextWriter writer, string metricName = "metric", Func<Parameter, string>? describe = null)
    {
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        _metricName = metricName;
        _describe = describe ?? (p => p.ToDisplayString());
    }

    /// <inheritdoc />
    public void ReportRunningTrial(TrialSettings settings)
    {
    }

    /// <inheritdoc />
    public void ReportCompletedTrial(TrialResult result, bool resumed) => _writer.WriteLine(FormatLine(result, _metricName, resumed, _describe));

    /// <inheritdoc />
    public void ReportFailTrial(TrialSettings settings, Exception exception) =>
        _writer.WriteLine($"trial {settings.TrialId}  {_describe(settings.Parameter)}  FAILED: {exception.Message}");

    /// <inheritdoc />
    public void ReportBestTrial(TrialResult result) =>
        _writer.WriteLine($"best so far: trial {result.TrialSettings.TrialId} ({_metricName}={Format(result.Metric)})");

    /// <summary>The line written for a trial.</summary>
    public static string FormatLine(TrialResult result, string metricName, bool resumed = false, Func<Parameter, string>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        string outcome = result.IsFailed ? "FAILED: " + result.Error : $"{metricName}={Format(result.Metric)}";
        return string.Create(CultureInfo.InvariantCulture,
            $"trial {result.TrialSettings.TrialId}  {(describe ?? (p => p.ToDisplayString()))(result.TrialSettings.Parameter)}  {outcome}  " +
            $"{result.DurationInMilliseconds / 1000:F1} s  {result.PeakMemoryInMegaByte:F0} MiB{(resumed ? "  (from checkpoint)" : "")}");
    }

    private static string Format(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
