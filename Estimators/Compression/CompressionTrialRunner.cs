using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.Tuners;

namespace MLNetExt.Estimators.Compression;

/// <summary>One trial's measured figures: quality, and speed over the original's in the same trial.</summary>
internal readonly record struct CompressionMeasurement(double Quality, double Speedup, double SpeedupCpu, long SizeBytes);

/// <summary>
/// A trial of the compression sweep: makes the proposed <see cref="CompressionConfiguration"/>, writes it under the
/// trials folder and measures it against the original; reports quality as the metric and, as the loss, the negated
/// quality of a feasible trial or a penalty above every feasible loss that shrinks as the speed-up nears the constraint.
/// </summary>
internal abstract class CompressionTrialRunner : ITrialRunner, IDisposable
{
    /// <summary>Loss of an infeasible trial before its shortfall is added: above any negated quality on a 0-100 scale.</summary>
    internal const double InfeasiblePenalty = 1000;

    protected CompressionTrialRunner(CompressionSweepOptions options, int layerCount)
    {
        Options = options;
        LayerCount = layerCount;
    }

    protected CompressionSweepOptions Options { get; }

    /// <summary>Layers of the original model.</summary>
    public int LayerCount { get; }

    /// <summary>The original's quality, once a trial has measured it.</summary>
    public double? OriginalQuality { get; protected set; }

    /// <summary>Bytes of the original model.</summary>
    public abstract long OriginalSizeBytes { get; }

    /// <summary>What the quality measure is, in words.</summary>
    public abstract string QualityName { get; }

    /// <summary>Where trial <paramref name="trialId"/>'s model is written (a folder for encoders, a model.zip for classifiers).</summary>
    public abstract string TrialPath(int trialId);

    protected string TrialsFolder => Path.Combine(Options.OutputFolder, "trials");

    /// <inheritdoc />
    public TrialResult Run(TrialSettings settings, CancellationToken cancellationToken)
    {
        var configuration = CompressionConfiguration.FromParameter(settings.Parameter);
        // The unchanged model runs at 1x by definition; once its quality is known it costs nothing.
        CompressionMeasurement m = configuration.IsOriginal(LayerCount) && OriginalQuality is double quality
            ? new CompressionMeasurement(quality, 1, 1, OriginalSizeBytes)
            : Measure(configuration, settings.TrialId, cancellationToken);
        double speed = Options.SpeedMeasure == CompressionSpeedMeasure.Cpu ? m.SpeedupCpu : m.Speedup;
        return new TrialResult
        {
            TrialSettings = settings,
            Metric = m.Quality,
            Loss = Loss(m.Quality, speed, Options.MinSpeedup),
            Metrics = new Dictionary<string, double>
            {
                ["quality"] = m.Quality, ["speedup"] = m.Speedup, ["speedup_cpu"] = m.SpeedupCpu, ["size_bytes"] = m.SizeBytes,
            },
        };
    }

    /// <summary>What the tuner minimises: -quality when <paramref name="speedup"/> meets the constraint, else a penalty that falls as the speed-up rises.</summary>
    internal static double Loss(double quality, double speedup, double minSpeedup) =>
        speedup >= minSpeedup ? -quality : InfeasiblePenalty + 100 * (minSpeedup - speedup);

    protected abstract CompressionMeasurement Measure(CompressionConfiguration configuration, int trialId, CancellationToken cancellationToken);

    /// <inheritdoc />
    public virtual void Dispose()
    {
    }
}
