using System.Text.Json.Serialization;
using Microsoft.ML;

namespace MLNetExt.Estimators.Tuners;

/// <summary>The outcome of one trial: its metric, the loss the tuner minimises, cost, and the fitted model.</summary>
public sealed class TrialResult
{
    /// <summary>The trial this result belongs to.</summary>
    public required TrialSettings TrialSettings { get; init; }

    /// <summary>The metric as reported (e.g. accuracy, higher better; or RMSE, lower better). NaN for a failed trial.</summary>
    public double Metric { get; init; }

    /// <summary>What tuners minimise: the metric, negated when higher is better; +infinity for a failed trial.</summary>
    public double Loss { get; init; }

    /// <summary>Wall-clock duration in milliseconds.</summary>
    public double DurationInMilliseconds { get; init; }

    /// <summary>The highest working set of the process seen during the trial, in MiB.</summary>
    public double PeakMemoryInMegaByte { get; init; }

    /// <summary>The error message of a failed trial, or null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    /// <summary>Other metrics of the trial by name (e.g. F1 next to accuracy).</summary>
    public Dictionary<string, double> Metrics { get; init; } = new();

    /// <summary>
    /// Whether the sweep's time budget cancelled the trial while it ran (it then counts as failed, and its
    /// <see cref="DurationInMilliseconds"/> tells the tuner what it cost up to then).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool IsCancelled { get; init; }

    /// <summary>Whether the trial failed.</summary>
    [JsonIgnore]
    public bool IsFailed => Error is not null;

    /// <summary>The fitted model (not serialised; the sweep saves the best one to a file).</summary>
    [JsonIgnore]
    public ITransformer? Model { get; set; }

    /// <summary>A failed result for <paramref name="settings"/>.</summary>
    public static TrialResult Failed(TrialSettings settings, Exception error, double durationMs, double peakMemoryMb) => new()
    {
        TrialSettings = settings,
        Metric = double.NaN,
        Loss = double.PositiveInfinity,
        DurationInMilliseconds = durationMs,
        PeakMemoryInMegaByte = peakMemoryMb,
        Error = $"{error.GetType().Name}: {error.Message}",
    };

    /// <summary>A result for <paramref name="settings"/> cancelled by the time budget after <paramref name="durationMs"/>.</summary>
    public static TrialResult Cancelled(TrialSettings settings, double durationMs, double peakMemoryMb) => new()
    {
        TrialSettings = settings,
        Metric = double.NaN,
        Loss = double.PositiveInfinity,
        DurationInMilliseconds = durationMs,
        PeakMemoryInMegaByte = peakMemoryMb,
        IsCancelled = true,
        Error = $"Cancelled: the time budget ran out {durationMs / 1000:F1} s into the trial.",
    };
}
