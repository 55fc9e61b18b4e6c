using System.Diagnostics;
using Microsoft.ML;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Evaluation.Reports;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms.TokenPruning;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// The library service behind <c>mlnetext train prune-tokens</c>: optionally fine-tunes a GLUE classifier with token
/// pruning (<see cref="TokenPruningTrainer"/>) on the task's training rows and writes the model, then draws the
/// speed/accuracy curve of several keep schedules from that one model on the dev set: the speed-up the FLOPs predict
/// beside the one measured against the unpruned input model in the same run, and the dev metric.
/// </summary>
public static class TokenPruningCompression
{
    /// <summary>Runs <paramref name="spec"/>.</summary>
    /// <param name="spec">What to make and measure.</param>
    /// <param name="progress">Training steps.</param>
    /// <param name="log">One line per stage.</param>
    /// <param name="cancellationToken">Stops training (after a checkpoint when checkpointing) and scoring.</param>
    /// <exception cref="FileNotFoundException">The model or a task file does not exist.</exception>
    /// <exception cref="ArgumentException">A schedule is not valid for the model (the message names the bad fraction), or the model does not fit the task.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it and its value).</exception>
    public static TokenPruningReport Run(TokenPruningSpec spec, IProgress<TrainingProgress>? progress = null, Action<string>? log = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        log ??= _ => { };
        if (spec.SpeedRounds < 1)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.SpeedRounds, $"The speed rounds must be at least 1; got {spec.SpeedRounds}.");
        if (spec.MaxTrainRows is < 1)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.MaxTrainRows, $"The training row cap must be at least 1; got {spec.MaxTrainRows}.");
        if (spec.TargetSchedule is not null && string.IsNullOrEmpty(spec.OutputDirectory))
            throw new ArgumentException("Fine-tuning with token pruning writes a model: give the output folder.", nameof(spec));
        if (spec.CurveSchedules.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(spec), "Give at least one schedule for the curve.");
        GlueTask task = GlueTask.FromName(spec.Task);
        var ml = new MLContext(seed: spec.Seed);
        EncoderFineTuningTransformer original = EncoderFineTuningTransformer.Load(ml, spec.ModelPath);
        var owned = new List<EncoderFineTuningTransformer> { original };
        try
        {
            ClassifierCompression.CheckFits(original, task, spec.ModelPath);
            int layers = original.LayerCount;
            // Every schedule is checked before any work.
            TokenKeepSchedule[] curve = spec.CurveSchedules.Select(s => TokenKeepSchedule.Parse(s, layers)).ToArray();
            IReadOnlyList<GlueExample> dev = GlueReader.ReadDev(task, spec.DataFolder);

            EncoderFineTuningTransformer pruning = original;
            TrainingResult? training = null;
            double seconds = 0;
            int trainRows = 0;
            string? modelPath = null;
            if (spec.TargetSchedule is not null)
            {
                var trainer = new TokenPruningTrainer(ml, original, new TokenPruningOptions
                {
                    TargetSchedule = spec.TargetSchedule, TargetShare = spec.TargetShare, Progress = progress,
                    DistillationWeight = spec.DistillationWeight, Temperature = spec.Temperature,
                    Training = new TrainingOptions
                    {
                        BatchSize = spec.BatchSize, Epochs = spec.Epochs, LearningRate = spec.LearningRate, Seed = spec.Seed, CheckpointDirectory = spec.CheckpointDirectory,
                        LengthBucketBatches = spec.LengthBucketBatches,
                    },
                });
                FineTuningRows rows = ClassifierCompression.Tokenize(original, task, ClassifierCompression.ReadTrainRows(task,
                    ClassifierCompression.TrainFile(spec.DataFolder, "the schedule fine-tuning trains"), spec.MaxTrainRows, spec.Seed));
                trainRows = rows.Rows.Count;
                log($"{task.Name}: fine-tuning with token pruning (target {trainer.Target}) on {trainRows} training rows{(spec.MaxTrainRows is null ? "" : $" (a seeded sample of at most {spec.MaxTrainRows})")}.");
                var clock = Stopwatch.StartNew();
                pruning = trainer.Train(rows, cancellationToken);
                owned.Add(pruning);
                seconds = clock.Elapsed.TotalSeconds;
                training = pruning.TrainingResult;
                modelPath = Path.GetFullPath(Path.Combine(spec.OutputDirectory!, "model.zip"));
                Directory.CreateDirectory(spec.OutputDirectory!);
                pruning.Save(modelPath);
                log($"Fine-tuned in {seconds:F0} s -> {modelPath}.");
            }

            EncoderFineTuningTransformer[] variants = curve.Select(pruning.WithTokenKeep).ToArray();
            owned.AddRange(variants);
            EncoderFineTuningTransformer reference = Unpruned(original, log);
            if (!ReferenceEquals(reference, original))
                owned.Add(reference);
            log($"Scoring and timing the unpruned model and {variants.Length} schedules on the {dev.Count} dev rows, {spec.SpeedRounds} alternating rounds.");
            (GlueResult[] metrics, (double Wall, double Cpu)[] speed) = ClassifierCompression.Measure([reference, .. variants], task, dev, spec.SpeedRounds, cancellationToken);

            string[] first = dev.Select(d => d.Sentence1).ToArray();
            string[]? second = task.IsPairTask ? dev.Select(d => d.Sentence2).ToArray() : null;
            double originalPrimary = Math.Round(100 * metrics[0].Primary, 2);
            TokenPruningPoint Point(int i)
            {
                TokenPruningEstimate estimate = original.EstimateTokenPruning(curve[i], first, second);
                return new TokenPruningPoint
                {
                    Schedule = curve[i].ToString(),
                    TokensPerLayer = estimate.TokensPerLayer.Select(t => Math.Round(t, 2)).ToArray(),
                    EstimatedSpeedup = Math.Round(estimate.Speedup, 3),
                    MeasuredSpeedup = Math.Round(speed[i + 1].Wall / speed[0].Wall, 3),
                    MeasuredSpeedupCpu = Math.Round(speed[i + 1].Cpu / speed[0].Cpu, 3),
                    RowsPerSecond = Math.Round(speed[i + 1].Wall, 2),
                    DevPrimary = Math.Round(100 * metrics[i + 1].Primary, 2),
                    DevChange = Math.Round(100 * metrics[i + 1].Primary, 2) - originalPrimary,
                };
            }
            TokenPruningPoint[] points = Enumerable.Range(0, curve.Length).Select(Point).ToArray();
            string? plotPath = null;
            if (spec.Plot && spec.OutputDirectory is not null)
            {
                Directory.CreateDirectory(spec.OutputDirectory);
                plotPath = Path.GetFullPath(Path.Combine(spec.OutputDirectory, "speed_quality.png"));
                SpeedQualityPlot.Save(points.Select(p => new SpeedQualityPoint($"{p.Schedule} (est. {p.EstimatedSpeedup:F2}x)", p.MeasuredSpeedup, p.DevPrimary))
                    .Prepend(new SpeedQualityPoint("unpruned", 1, originalPrimary)), $"{task.Name} dev {GlueResult.ShortName(task.Metrics[0])}", plotPath);
            }
            using var process = Process.GetCurrentProcess();
            return new TokenPruningReport
            {
                Task = task.Name,
                Metric = GlueResult.ShortName(task.Metrics[0]),
                DevRows = dev.Count,
                TrainRows = trainRows,
                TargetSchedule = spec.TargetSchedule is null ? null : TokenKeepSchedule.Parse(spec.TargetSchedule, layers).ToString(),
                OriginalRowsPerSecond = Math.Round(speed[0].Wall, 2),
                OriginalDevPrimary = originalPrimary,
                Curve = points,
                PlotPath = plotPath,
                Training = training,
                TrainingSeconds = Math.Round(seconds, 1),
                PeakWorkingSetMiB = Math.Round(process.PeakWorkingSet64 / 1048576.0, 1),
                ModelPath = modelPath,
            };
        }
        finally
        {
            foreach (EncoderFineTuningTransformer model in owned)
                model.Dispose(); // IOwnedTransformers: their owner ends them
        }
    }

    /// <summary>
    /// The reference every schedule is compared with: the input model itself, or, when the input already prunes tokens
    /// (a model saved by <c>PruneTokens</c> serves its target schedule), the same weights served unpruned.
    /// </summary>
    internal static EncoderFineTuningTransformer Unpruned(EncoderFineTuningTransformer original, Action<string> log)
    {
        if (original.TokenKeep is not { KeepsEverything: false } stored)
            return original;
        log($"The input model prunes tokens (schedule {stored}); the reference is the same weights unpruned.");
        return original.WithTokenKeep(TokenKeepSchedule.Full(stored.LayerCount));
    }
}
