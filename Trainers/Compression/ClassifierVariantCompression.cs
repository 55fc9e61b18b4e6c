using System.Diagnostics;
using Microsoft.ML;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms.TokenPruning;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// Makes one compressed variant of a fine-tuned classifier (<see cref="ClassifierVariantSpec"/>: head pruning,
/// token keep schedule, int8), writes its model.zip, and measures it against the original in the same call: the task's
/// dev measures and dev rows per second, alternating rounds. One trial of the compression sweep.
/// </summary>
public static class ClassifierVariantCompression
{
    /// <summary>Runs <paramref name="spec"/> on <paramref name="original"/> (which stays the caller's to dispose).</summary>
    /// <returns>The report with the original and the one variant.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it and its value).</exception>
    /// <exception cref="ArgumentException">The token keep schedule does not fit the model, or the model does not fit the task.</exception>
    /// <exception cref="FileNotFoundException">The task's train or dev file does not exist.</exception>
    public static ClassifierCompressionReport Run(EncoderFineTuningTransformer original, ClassifierVariantSpec spec, IProgress<TrainingProgress>? progress = null,
        Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(spec);
        log ??= _ => { };
        ArgumentException.ThrowIfNullOrEmpty(spec.OutputPath, nameof(spec.OutputPath));
        if (!(spec.KeepHeadFraction > 0 && spec.KeepHeadFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(spec), spec.KeepHeadFraction, $"The share of heads kept must be in (0, 1]; got {spec.KeepHeadFraction}.");
        if (spec.SpeedRounds < 1)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.SpeedRounds, $"The speed rounds must be at least 1; got {spec.SpeedRounds}.");
        GlueTask task = GlueTask.FromName(spec.Task);
        ClassifierCompression.CheckFits(original, task, "the model");
        TokenKeepSchedule? schedule = spec.TokenKeep is null ? null : TokenKeepSchedule.Parse(spec.TokenKeep, original.LayerCount);
        IReadOnlyList<GlueExample> dev = GlueReader.ReadDev(task, spec.DataFolder);
        var ml = new MLContext(seed: spec.Seed);

        var owned = new List<EncoderFineTuningTransformer>();
        try
        {
            EncoderFineTuningTransformer model = original;
            ClassifierHeadPruningResult? pruned = null;
            int trainRows = 0;
            if (spec.KeepHeadFraction < 1)
            {
                if (spec.PrunedModelCache is not null && File.Exists(spec.PrunedModelCache))
                {
                    log($"Reusing the head-pruned model {spec.PrunedModelCache}.");
                    model = EncoderFineTuningTransformer.Load(ml, spec.PrunedModelCache);
                    owned.Add(model);
                }
                else
                {
                    (pruned, trainRows) = PruneHeads(ml, original, task, spec, progress, log, cancellationToken);
                    model = pruned.Pruned;
                    owned.Add(model);
                    if (spec.PrunedModelCache is not null)
                    {
                        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(spec.PrunedModelCache))!);
                        model.Save(spec.PrunedModelCache);
                    }
                }
            }
            int heads = ClassifierCompression.OriginalHeads(model);
            if (schedule is not null)
            {
                model = model.WithTokenKeep(schedule);
                owned.Add(model);
            }
            if (spec.Int8)
            {
                model = model.WithRuntime(new FineTunedRuntimeOptions { Int8 = true });
                owned.Add(model);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(spec.OutputPath))!);
            model.Save(spec.OutputPath);

            log($"Scoring and timing the original and the variant on the {dev.Count} dev rows, {spec.SpeedRounds} alternating rounds.");
            (GlueResult[] metrics, (double Wall, double Cpu)[] speed) = ClassifierCompression.Measure([original, model], task, dev, spec.SpeedRounds, cancellationToken);
            ClassifierVariantFigures Figures(int i, string variant, int headCount, long size, string? path) => ClassifierCompression.MeasuredFigures(metrics, speed, i) with
            {
                Variant = variant,
                Heads = headCount,
                SizeBytes = size,
                Pruning = pruned?.ToString(),
                PruningSeconds = pruned is null ? null : Math.Round(pruned.Seconds, 1),
                Recovery = pruned?.Recovery,
                ModelPath = path is null ? null : Path.GetFullPath(path),
            };
            using var process = Process.GetCurrentProcess();
            return new ClassifierCompressionReport
            {
                Task = task.Name,
                TrainRows = trainRows,
                DevRows = dev.Count,
                Original = Figures(0, "original", ClassifierCompression.OriginalHeads(original), 0, null),
                Variants = [Figures(1, Describe(spec, schedule), heads, new FileInfo(spec.OutputPath).Length, spec.OutputPath)],
                PeakWorkingSetMiB = Math.Round(process.PeakWorkingSet64 / 1048576.0, 1),
                OutputDirectory = Path.GetDirectoryName(Path.GetFullPath(spec.OutputPath))!,
            };
        }
        finally
        {
            foreach (EncoderFineTuningTransformer model in owned)
                model.Dispose(); // IOwnedTransformers: their owner ends them
        }
    }

    private static (ClassifierHeadPruningResult Result, int TrainRows) PruneHeads(MLContext ml, EncoderFineTuningTransformer original, GlueTask task,
        ClassifierVariantSpec spec, IProgress<TrainingProgress>? progress, Action<string> log, CancellationToken cancellationToken)
    {
        string trainFile = ClassifierCompression.TrainFile(spec.DataFolder, "head pruning scores and recovers");
        FineTuningRows rows = ClassifierCompression.Tokenize(original, task, ClassifierCompression.ReadTrainRows(task, trainFile, spec.MaxTrainRows, spec.Seed));
        log($"Pruning to {spec.KeepHeadFraction:0.###} of the heads (importance), recovering {spec.Epochs} epoch(s) on {rows.Rows.Count} training rows.");
        var trainer = new ClassifierHeadPruningTrainer(ml, original, new ClassifierHeadPruningOptions
        {
            Method = HeadPruningMethod.Importance, PruneFraction = 1 - spec.KeepHeadFraction,
            ImportanceBatches = spec.ImportanceBatches, ImportanceBatchSize = spec.BatchSize, Progress = progress,
            Training = new TrainingOptions { BatchSize = spec.BatchSize, Epochs = spec.Epochs, LearningRate = spec.LearningRate, Seed = spec.Seed },
        });
        return (trainer.Train(rows, cancellationToken), rows.Rows.Count);
    }

    private static string Describe(ClassifierVariantSpec spec, TokenKeepSchedule? schedule) =>
        string.Join(", ", new[]
        {
            spec.KeepHeadFraction < 1 ? $"{spec.KeepHeadFraction:0.###} of heads" : null,
            schedule is null ? null : $"token keep {schedule}",
            spec.Int8 ? "int8" : null,
        }.OfType<string>().DefaultIfEmpty("unchanged"));
}
