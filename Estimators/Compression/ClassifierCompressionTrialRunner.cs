using System.Globalization;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;

namespace MLNetExt.Estimators.Compression;

/// <summary>
/// Compression trials of a fine-tuned classifier through <see cref="ClassifierVariantCompression"/>: fewer heads
/// (importance pruning with recovery, trained once per share and kept under the trials folder), a token keep schedule
/// and int8; each trial scores the task's dev measure and times the dev rows against the original in the same run.
/// </summary>
internal sealed class ClassifierCompressionTrialRunner : CompressionTrialRunner
{
    private readonly EncoderFineTuningTransformer _original;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly Action<string> _log;

    public ClassifierCompressionTrialRunner(CompressionSweepOptions options, EncoderFineTuningTransformer original, IProgress<TrainingProgress>? progress, Action<string> log)
        : base(options, original.LayerCount)
    {
        _original = original;
        _progress = progress;
        _log = log;
        OriginalSizeBytes = new FileInfo(options.ModelPath!).Length;
    }

    public override long OriginalSizeBytes { get; }

    public override string QualityName => $"{Options.Task} dev primary measure x 100";

    public override string TrialPath(int trialId) => Path.Combine(TrialsFolder, $"trial-{trialId}", "model.zip");

    protected override CompressionMeasurement Measure(CompressionConfiguration configuration, int trialId, CancellationToken cancellationToken)
    {
        ClassifierCompressionReport report = ClassifierVariantCompression.Run(_original, new ClassifierVariantSpec
        {
            Task = Options.Task!, DataFolder = Options.DataFolder!, KeepHeadFraction = configuration.HeadsKept,
            TokenKeep = configuration.PrunesTokens ? configuration.TokenKeep : null, Int8 = configuration.Int8,
            MaxTrainRows = Options.MaxTrainRows, ImportanceBatches = Options.ImportanceBatches, Epochs = Options.Epochs, BatchSize = Options.BatchSize,
            LearningRate = Options.LearningRate ?? 5e-5, Seed = Options.Seed, SpeedRounds = Options.SpeedRounds, OutputPath = TrialPath(trialId),
            PrunedModelCache = configuration.HeadsKept < 1
                ? Path.Combine(TrialsFolder, string.Create(CultureInfo.InvariantCulture, $"pruned-h{configuration.HeadsKept:0.###}.zip"))
                : null,
        }, _progress, _log, cancellationToken);
        OriginalQuality ??= report.Original.DevPrimary;
        ClassifierVariantFigures variant = report.Variants[0];
        return new CompressionMeasurement(variant.DevPrimary, variant.Speedup, variant.SpeedupCpu, variant.SizeBytes);
    }

    public override void Dispose()
    {
        _original.Dispose(); // an IOwnedTransformer: the runner loaded it and ends it
        base.Dispose();
    }
}
