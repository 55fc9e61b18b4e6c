using System.Globalization;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Estimators.Compression;

/// <summary>
/// Compression trials of a sentence encoder through <see cref="EncoderCompression"/>: fewer layers (distilled) and
/// fewer heads (importance pruning with recovery) are trained once per pair and kept under the trials folder, so the
/// fp32 and int8 trials of one student share its training; each trial is timed against the original in the same run
/// and scored by STS cosine Spearman.
/// </summary>
internal sealed class EncoderCompressionTrialRunner : CompressionTrialRunner
{
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly Action<string> _log;

    public EncoderCompressionTrialRunner(CompressionSweepOptions options, EncoderModel original, IProgress<TrainingProgress>? progress, Action<string> log)
        : base(options, original.Config.Layers)
    {
        OriginalSizeBytes = original.SizeBytes;
        _progress = progress;
        _log = log;
    }

    public override long OriginalSizeBytes { get; }

    public override string QualityName => $"STS cosine Spearman x 100 on {Options.StsPath}";

    public override string TrialPath(int trialId) => Path.Combine(TrialsFolder, $"trial-{trialId}");

    protected override CompressionMeasurement Measure(CompressionConfiguration configuration, int trialId, CancellationToken cancellationToken)
    {
        string encoder = Options.Encoder!;
        bool original = configuration.IsOriginal(LayerCount);
        string? reference = original ? encoder : null;
        if (configuration.NeedsTraining(LayerCount))
        {
            string student = Path.Combine(TrialsFolder, string.Create(CultureInfo.InvariantCulture, $"student-l{configuration.Layers}-h{configuration.HeadsKept:0.###}"));
            if (File.Exists(Path.Combine(student, "config.json")))
                _log($"Reusing {student}.");
            else
                EncoderCompression.Run(Spec(encoder) with
                {
                    Layers = configuration.Layers < LayerCount ? configuration.Layers : null,
                    PruneHeads = configuration.HeadsKept < 1 ? 1 - configuration.HeadsKept : null,
                    OutputDirectory = student, SpeedRows = 0, StsPath = null,
                }, _progress, _log, cancellationToken);
            (encoder, reference) = (student, encoder);
        }
        EncoderCompressionReport report = EncoderCompression.Run(Spec(encoder) with
        {
            // The original timed against itself is scored once: its "compressed" side is the original.
            Reference = reference, Int8 = configuration.Int8, OutputDirectory = TrialPath(trialId), EvaluateOriginal = OriginalQuality is null && !original,
        }, _progress, _log, cancellationToken);
        OriginalQuality ??= original ? report.Compressed.StsSpearman : report.Original.StsSpearman;
        return new CompressionMeasurement(report.Compressed.StsSpearman!.Value, report.Speedup!.Value, report.SpeedupCpu!.Value, report.Compressed.SizeBytes);
    }

    private EncoderCompressionSpec Spec(string encoder) => new()
    {
        Encoder = encoder, OutputDirectory = "", ImportanceBatches = Options.ImportanceBatches,
        DistillTextPaths = Options.DistillTextPaths, DistillColumns = Options.DistillColumns, MaxDistillTexts = Options.MaxDistillTexts,
        Epochs = Options.Epochs, BatchSize = Options.BatchSize, LearningRate = Options.LearningRate ?? 1e-4, MaxTokens = Options.MaxTokens, Seed = Options.Seed,
        StsPath = Options.StsPath, SpeedRows = Options.SpeedRows, SpeedRounds = Options.SpeedRounds, Threads = Options.Threads,
    };
}
