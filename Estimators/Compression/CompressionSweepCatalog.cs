using Microsoft.ML;
using MLNetExt.Estimators.Compression;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Trainers.Training;

namespace MLNetExt;

/// <summary>Catalog entry points of the compression sweep (<see cref="CompressionSweep"/>).</summary>
public static class CompressionSweepCatalog
{
    /// <summary>
    /// Searches layers kept, heads kept and int8 for the sentence encoder <see cref="CompressionSweepOptions.Encoder"/>:
    /// the best STS quality whose measured speed is at least <see cref="CompressionSweepOptions.MinSpeedup"/> times the original's.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="options">The search; <see cref="CompressionSweepOptions.Encoder"/> and <see cref="CompressionSweepOptions.StsPath"/> are required.</param>
    /// <param name="monitor">Hears about each trial; null for none.</param>
    /// <param name="log">Hears one line per stage; null for none.</param>
    /// <param name="progress">Training steps; null for none.</param>
    /// <param name="cancellationToken">Stops the running trial; the finished ones are reported.</param>
    /// <exception cref="ArgumentException">No encoder is given, or the options do not go together.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it and its value).</exception>
    public static CompressionSweepResult AutoCompressEncoder(this TransformsCatalog.TextTransforms catalog, CompressionSweepOptions options,
        IMonitor? monitor = null, Action<string>? log = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Encoder is null)
            throw new ArgumentException("AutoCompressEncoder compresses a sentence encoder: set Encoder (a fine-tuned classifier goes to MulticlassClassification.Trainers.AutoCompressClassifier).", nameof(options));
        return CompressionSweep.Run(options, monitor, log, progress, cancellationToken);
    }

    /// <summary>
    /// Searches heads kept, token keep schedules and int8 for the fine-tuned classifier <see cref="CompressionSweepOptions.ModelPath"/>:
    /// the best dev measure whose measured speed is at least <see cref="CompressionSweepOptions.MinSpeedup"/> times the original's.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">The search; <see cref="CompressionSweepOptions.ModelPath"/>, <see cref="CompressionSweepOptions.Task"/> and <see cref="CompressionSweepOptions.DataFolder"/> are required.</param>
    /// <param name="monitor">Hears about each trial; null for none.</param>
    /// <param name="log">Hears one line per stage; null for none.</param>
    /// <param name="progress">Training steps; null for none.</param>
    /// <param name="cancellationToken">Stops the running trial; the finished ones are reported.</param>
    /// <exception cref="ArgumentException">No model is given, or the options do not go together.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it and its value).</exception>
    public static CompressionSweepResult AutoCompressClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, CompressionSweepOptions options,
        IMonitor? monitor = null, Action<string>? log = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ModelPath is null)
            throw new ArgumentException("AutoCompressClassifier compresses a fine-tuned model: set ModelPath, Task and DataFolder (a sentence encoder goes to Transforms.Text.AutoCompressEncoder).", nameof(options));
        return CompressionSweep.Run(options, monitor, log, progress, cancellationToken);
    }
}
