using System.Diagnostics;
using Microsoft.ML;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Evaluation.Reports;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.TokenPruning;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// The library service behind <c>mlnetext compress --model MODEL.zip --task T</c>: prunes the attention heads of a
/// fine-tuned GLUE classifier with each requested method (<see cref="ClassifierHeadPruningTrainer"/>) on the task's
/// training rows, fine-tunes it with token pruning (<see cref="TokenPruningTrainer"/>, one model served at each
/// requested keep schedule) and/or distils it into a student of fewer layers (<see cref="ClassifierDistillationTrainer"/>),
/// optionally adds an int8 copy of the original and of every variant, writes each model.zip, and measures every model in
/// the same run: the task's dev measures through the served (ONNX Runtime) model, dev rows per second, size, training
/// time and peak memory; optionally the speed-versus-quality plot over the variants.
/// </summary>
public static class ClassifierCompression
{
    /// <summary>Runs <paramref name="spec"/>.</summary>
    /// <param name="spec">What to make and measure.</param>
    /// <param name="progress">Training steps.</param>
    /// <param name="log">One line per stage.</param>
    /// <param name="cancellationToken">Stops training (after a checkpoint when checkpointing) and scoring.</param>
    /// <exception cref="FileNotFoundException">The model or a task file does not exist.</exception>
    /// <exception cref="InvalidDataException">The model file is not a saved fine-tuned model.</exception>
    /// <exception cref="ArgumentException">The model is not a sentence classifier or regressor, or it does not fit the task.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it and its value).</exception>
    public static ClassifierCompressionReport Run(ClassifierCompressionSpec spec, IProgress<TrainingProgress>? progress = null, Action<string>? log = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        log ??= _ => { };
        ArgumentException.ThrowIfNullOrEmpty(spec.OutputDirectory, nameof(spec.OutputDirectory));
        if (spec.Methods.Count == 0 && spec.TokenKeep.Count == 0 && !spec.HasStudent && !spec.Int8)
            throw new ArgumentOutOfRangeException(nameof(spec), "Give at least one head pruning method, token keep schedule, student or int8.");
        if (spec.SpeedRounds < 1)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.SpeedRounds, $"The speed rounds must be at least 1; got {spec.SpeedRounds}.");
        if (spec.MaxTrainRows is < 1)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.MaxTrainRows, $"The training row cap must be at least 1; got {spec.MaxTrainRows}.");
        GlueTask task = GlueTask.FromName(spec.Task);
        string trainFile = TrainFile(spec.DataFolder, "head pruning scores and recovers");

        var ml = new MLContext(seed: spec.Seed);
        EncoderFineTuningTransformer original = EncoderFineTuningTransformer.Load(ml, spec.ModelPath);
        try
        {
            CheckFits(original, task, spec.ModelPath);
            // Every schedule is checked before any work (the message names the bad value).
            TokenKeepSchedule[] tokenKeep = spec.TokenKeep.Select(t => TokenKeepSchedule.Parse(t, original.LayerCount)).ToArray();
            ClassifierDistillationTrainer? student = spec.HasStudent ? StudentTrainer(spec, ml, original, progress) : null;
            return Run(spec, ml, original, tokenKeep, student, task, trainFile, progress, log, cancellationToken);
        }
        finally
        {
            original.Dispose(); // an IOwnedTransformer: its owner ends it
        }
    }

    private static ClassifierCompressionReport Run(ClassifierCompressionSpec spec, MLContext ml, EncoderFineTuningTransformer original, TokenKeepSchedule[] tokenKeep,
        ClassifierDistillationTrainer? studentTrainer, GlueTask task, string trainFile, IProgress<TrainingProgress>? progress, Action<string> log, CancellationToken cancellationToken)
    {
        IReadOnlyList<GlueExample> train = ReadTrainRows(task, trainFile, spec.MaxTrainRows, spec.Seed);
        IReadOnlyList<GlueExample> dev = GlueReader.ReadDev(task, spec.DataFolder);
        FineTuningRows rows = Tokenize(original, task, train);
        log($"{task.Name}: {rows.Rows.Count} training rows{(spec.MaxTrainRows is null ? "" : $" (a seeded sample of at most {spec.MaxTrainRows})")}, {dev.Count} dev rows.");

        var pruned = new List<(ClassifierHeadPruningResult Result, string Path)>();
        var owned = new List<EncoderFineTuningTransformer>();
        try
        {
            foreach (HeadPruningMethod method in spec.Methods)
            {
                log($"Pruning with {method}: {(spec.KeepHeads is int k ? $"keeping {k} heads" : $"removing {spec.PruneFraction:0.###} of the heads")}, recovering {spec.Epochs} epoch(s).");
                var trainer = new ClassifierHeadPruningTrainer(ml, original, new ClassifierHeadPruningOptions
                {
                    Method = method, Shrp = { RoutingEpochs = spec.RoutingEpochs }, DistillationWeight = spec.DistillationWeight,
                    PruneFraction = spec.PruneFraction, KeepHeads = spec.KeepHeads, ImportanceBatches = spec.ImportanceBatches, ImportanceBatchSize = spec.BatchSize,
                    Progress = progress,
                    Training = new TrainingOptions
                    {
                        BatchSize = spec.BatchSize, Epochs = spec.Epochs, LearningRate = spec.LearningRate, Seed = spec.Seed,
                        CheckpointDirectory = spec.CheckpointDirectory is null ? null : Path.Combine(spec.CheckpointDirectory, method.ToString().ToLowerInvariant()),
                    },
                });
                ClassifierHeadPruningResult result = trainer.Train(rows, cancellationToken);
                string path = Path.Combine(spec.OutputDirectory, method.ToString().ToLowerInvariant(), "model.zip");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                result.Pruned.Save(path);
                log($"{result} -> {path} ({result.Seconds:F0} s).");
                pruned.Add((result, path));
            }

            (EncoderFineTuningTransformer[] tokenModels, string? tokenPath, TrainingResult? tokenTraining, double tokenSeconds) =
                tokenKeep.Length == 0 ? ([], null, null, 0) : TokenPruned(spec, ml, original, tokenKeep, rows, progress, log, cancellationToken);
            owned.AddRange(tokenModels);
            (ClassifierDistillationResult Result, string Path)? student = studentTrainer is null ? null : Distil(spec, studentTrainer, rows, log, cancellationToken);
            EncoderFineTuningTransformer[] studentModels = student is { } trained ? [trained.Result.Student] : [];
            owned.AddRange(studentModels);
            EncoderFineTuningTransformer[] fp32 = [original, .. pruned.Select(p => p.Result.Pruned), .. tokenModels, .. studentModels];
            EncoderFineTuningTransformer[] int8 = spec.Int8 ? Quantize(fp32, owned, log) : [];
            EncoderFineTuningTransformer[] models = [.. fp32, .. int8];
            log($"Scoring and timing {models.Length} models on the {dev.Count} dev rows, {spec.SpeedRounds} alternating rounds.");
            (GlueResult[] metrics, (double Wall, double Cpu)[] speed) = Measure(models, task, dev, spec.SpeedRounds, cancellationToken);

            ClassifierVariantFigures Figures(int i, string variant, long size, ClassifierHeadPruningResult? result, string? path) => MeasuredFigures(metrics, speed, i) with
            {
                Variant = variant,
                Layers = models[i].LayerCount,
                Heads = result?.HeadsAfter ?? 0,
                HeadsPerLayer = result?.KeptHeads.Select(k => k.Count).ToArray() ?? [],
                SizeBytes = size,
                Pruning = result?.ToString(),
                PruningSeconds = result is null ? null : Math.Round(result.Seconds, 1),
                Routing = result?.Routing,
                Recovery = result?.Recovery,
                ModelPath = path is null ? null : Path.GetFullPath(path),
            };
            ClassifierVariantFigures originalFigures = Figures(0, "original", new FileInfo(spec.ModelPath).Length, null, null);
            ClassifierVariantFigures[] variants = pruned.Select((p, i) => Figures(i + 1, p.Result.Method.ToString().ToLowerInvariant(), new FileInfo(p.Path).Length, p.Result, p.Path)).ToArray();
            string[] devFirst = dev.Select(d => d.Sentence1).ToArray();
            string[]? devSecond = task.IsPairTask ? dev.Select(d => d.Sentence2).ToArray() : null;
            int heads = OriginalHeads(original);
            ClassifierVariantFigures[] tokenVariants = tokenKeep.Select((schedule, i) =>
            {
                TokenPruningEstimate estimate = original.EstimateTokenPruning(schedule, devFirst, devSecond);
                return Figures(1 + pruned.Count + i, $"tokens {schedule}", new FileInfo(tokenPath!).Length, null, tokenPath) with
                {
                    Heads = heads,
                    TokenKeep = schedule.ToString(),
                    EstimatedSpeedup = Math.Round(estimate.Speedup, 3),
                    Pruning = $"token pruning (fine-tuned for {tokenKeep[0]}, served at {estimate})",
                    PruningSeconds = Math.Round(tokenSeconds, 1),
                    Recovery = tokenTraining,
                };
            }).ToArray();
            variants = [.. variants, .. tokenVariants];
            originalFigures = originalFigures with
            {
                Heads = heads,
                HeadsPerLayer = pruned.Count > 0 ? pruned[0].Result.Scores.Select(l => l.Count).ToArray() : [],
            };
            if (student is { } distilled)
            {
                int[] studentHeads = FineTunedClassifierGraph.Read(distilled.Result.Student, "the student").Encoder.Config.HeadsPerLayer.ToArray();
                variants = [.. variants, Figures(variants.Length + 1, StudentName(distilled.Result), new FileInfo(distilled.Path).Length, null, distilled.Path) with
                {
                    Heads = studentHeads.Sum(),
                    HeadsPerLayer = studentHeads,
                    Pruning = distilled.Result.ToString(),
                    PruningSeconds = Math.Round(distilled.Result.Seconds, 1),
                    Distillation = distilled.Result.Training,
                }];
            }
            if (int8.Length > 0)
            {
                ClassifierVariantFigures[] all = [originalFigures, .. variants];
                variants = [.. variants, .. all.Select((v, j) => Int8Figures(v, MeasuredFigures(metrics, speed, fp32.Length + j), spec.OutputDirectory, int8[j]))];
            }

            string? plotPath = null;
            if (spec.Plot)
            {
                plotPath = Path.GetFullPath(Path.Combine(spec.OutputDirectory, "speed_quality.png"));
                SpeedQualityPlot.Save(variants.Prepend(originalFigures).Select(v => new SpeedQualityPoint($"{v.Variant} ({v.Heads} heads)", v.Speedup, v.DevPrimary)),
                    $"{task.Name} dev {GlueResult.ShortName(task.Metrics[0])}", plotPath);
            }
            using var process = Process.GetCurrentProcess();
            return new ClassifierCompressionReport
            {
                Task = task.Name,
                TrainRows = rows.Rows.Count,
                DevRows = dev.Count,
                Original = originalFigures,
                Variants = variants,
                PeakWorkingSetMiB = Math.Round(process.PeakWorkingSet64 / 1048576.0, 1),
                PlotPath = plotPath,
                OutputDirectory = Path.GetFullPath(spec.OutputDirectory),
            };
        }
        finally
        {
            foreach (var (result, _) in pruned)
                result.Pruned.Dispose();
            foreach (EncoderFineTuningTransformer model in owned)
                model.Dispose();
        }
    }

    // One model fine-tuned with token pruning towards the first schedule, written to tokens/model.zip, served at each schedule.
    private static (EncoderFineTuningTransformer[] Models, string Path, TrainingResult? Training, double Seconds) TokenPruned(ClassifierCompressionSpec spec, MLContext ml,
        EncoderFineTuningTransformer original, TokenKeepSchedule[] schedules, FineTuningRows rows, IProgress<TrainingProgress>? progress, Action<string> log,
        CancellationToken cancellationToken)
    {
        log($"Token pruning: fine-tuning for {schedules[0]} (distilling from the original), {spec.Epochs} epoch(s); then serving {schedules.Length} schedule(s).");
        var trainer = new TokenPruningTrainer(ml, original, new TokenPruningOptions
        {
            TargetSchedule = schedules[0].ToString(), Progress = progress,
            Training = new TrainingOptions
            {
                BatchSize = spec.BatchSize, Epochs = spec.Epochs, LearningRate = spec.LearningRate, Seed = spec.Seed,
                CheckpointDirectory = spec.CheckpointDirectory is null ? null : Path.Combine(spec.CheckpointDirectory, "tokens"),
            },
        });
        var clock = Stopwatch.StartNew();
        EncoderFineTuningTransformer trained = trainer.Train(rows, cancellationToken);
        var models = new List<EncoderFineTuningTransformer>();
        try
        {
            double seconds = clock.Elapsed.TotalSeconds;
            string path = Path.Combine(spec.OutputDirectory, "tokens", "model.zip");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            trained.Save(path);
            log($"Token pruning fine-tuned in {seconds:F0} s -> {path}.");
            foreach (TokenKeepSchedule schedule in schedules)
                models.Add(trained.WithTokenKeep(schedule));
            return ([.. models], path, trained.TrainingResult, seconds);
        }
        catch
        {
            foreach (EncoderFineTuningTransformer model in models)
                model.Dispose();
            throw;
        }
        finally
        {
            trained.Dispose(); // an IOwnedTransformer: its owner ends it; the served variants hold their own graphs
        }
    }

    // The student's trainer, made before any training so that bad layers are named first.
    private static ClassifierDistillationTrainer StudentTrainer(ClassifierCompressionSpec spec, MLContext ml, EncoderFineTuningTransformer original,
        IProgress<TrainingProgress>? progress) =>
        new(ml, original, new ClassifierDistillationOptions
        {
            StudentLayers = spec.StudentLayers, StudentLayerCount = spec.StudentLayerCount ?? 3, DistillationWeight = spec.StudentDistillationWeight,
            Temperature = spec.Temperature, HiddenStateWeight = spec.HiddenStateWeight, Progress = progress,
            Training = new TrainingOptions
            {
                BatchSize = spec.BatchSize, Epochs = spec.Epochs, LearningRate = spec.DistillationLearningRate, Seed = spec.Seed,
                LengthBucketBatches = spec.LengthBucketBatches,
                CheckpointDirectory = spec.CheckpointDirectory is null ? null : Path.Combine(spec.CheckpointDirectory, "student"),
            },
        });

    // The student trained on the task's rows and written to student/model.zip.
    private static (ClassifierDistillationResult Result, string Path) Distil(ClassifierCompressionSpec spec, ClassifierDistillationTrainer trainer, FineTuningRows rows,
        Action<string> log, CancellationToken cancellationToken)
    {
        log($"Distilling into teacher layers {string.Join(",", trainer.TeacherLayers!)}: {spec.Epochs} epoch(s), distillation weight {spec.StudentDistillationWeight} at T = {spec.Temperature}"
            + (spec.HiddenStateWeight > 0 ? $", hidden-state weight {spec.HiddenStateWeight}." : "."));
        ClassifierDistillationResult result = trainer.Train(rows, cancellationToken);
        string path = Path.Combine(spec.OutputDirectory, "student", "model.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        result.Student.Save(path);
        log($"{result} -> {path} ({result.Seconds:F0} s).");
        return (result, path);
    }

    private static string StudentName(ClassifierDistillationResult result) => $"student {string.Join(",", result.TeacherLayers ?? result.MappedLayers)}";

    // An int8 copy of every model (ONNX Runtime's integer kernels), each added to owned as it is made.
    private static EncoderFineTuningTransformer[] Quantize(EncoderFineTuningTransformer[] models, List<EncoderFineTuningTransformer> owned, Action<string> log)
    {
        log($"Quantising {models.Length} model(s) to int8.");
        var copies = new EncoderFineTuningTransformer[models.Length];
        for (int i = 0; i < models.Length; i++)
        {
            copies[i] = models[i].WithRuntime(new FineTunedRuntimeOptions { Int8 = true });
            owned.Add(copies[i]);
        }
        return copies;
    }

    // The int8 copy of variant v: v's description with the copy's measures, written to int8/<variant>/model.zip.
    private static ClassifierVariantFigures Int8Figures(ClassifierVariantFigures v, ClassifierVariantFigures measured, string outputDirectory, EncoderFineTuningTransformer model)
    {
        string folder = string.Concat(v.Variant.Select(c => char.IsLetterOrDigit(c) ? c : '-'));
        string path = Path.Combine(outputDirectory, "int8", folder, "model.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        model.Save(path);
        return v with
        {
            Variant = $"{v.Variant} int8",
            Int8 = true,
            Dev = measured.Dev, DevPrimary = measured.DevPrimary, DevRetained = measured.DevRetained,
            RowsPerSecond = measured.RowsPerSecond, RowsPerCpuSecond = measured.RowsPerCpuSecond, Speedup = measured.Speedup, SpeedupCpu = measured.SpeedupCpu,
            SizeBytes = new FileInfo(path).Length,
            Pruning = v.Pruning is null ? "int8 weights" : $"{v.Pruning}; int8 weights",
            ModelPath = Path.GetFullPath(path),
        };
    }

    /// <summary>The task's train.tsv in <paramref name="dataFolder"/>.</summary>
    /// <param name="dataFolder">The task's folder.</param>
    /// <param name="purpose">What trains on it, for the message (e.g. "head pruning scores and recovers").</param>
    /// <exception cref="FileNotFoundException">There is no train.tsv; the message names the file and <paramref name="purpose"/>.</exception>
    internal static string TrainFile(string dataFolder, string purpose)
    {
        string trainFile = Path.Combine(dataFolder, "train.tsv");
        if (!File.Exists(trainFile))
            throw new FileNotFoundException($"No training file '{trainFile}': {purpose} on the task's train.tsv.", trainFile);
        return trainFile;
    }

    /// <summary>The task's labelled training rows, or a seeded sample of at most <paramref name="maxRows"/> of them.</summary>
    internal static IReadOnlyList<GlueExample> ReadTrainRows(GlueTask task, string trainFile, int? maxRows, int seed)
    {
        IReadOnlyList<GlueExample> train = GlueReader.Read(task, trainFile, labelsRequired: true);
        if (maxRows is not int max || max >= train.Count)
            return train;
        GlueExample[] shuffled = [.. train];
        new Random(seed).Shuffle(shuffled);
        return shuffled[..max];
    }

    internal static int OriginalHeads(EncoderFineTuningTransformer model) =>
        FineTunedClassifierGraph.Read(model, "the original model").Encoder.Config.HeadsPerLayer.Sum();

    internal static void CheckFits(EncoderFineTuningTransformer model, GlueTask task, string path)
    {
        if (model.Kind == FineTuningKind.TokenClassification)
            throw new ArgumentException($"'{path}' is a token classifier (it tags words); head pruning takes a fine-tuned sentence classifier or regressor.", nameof(path));
        if (task.IsRegression != (model.Kind == FineTuningKind.Regression))
            throw new ArgumentException($"'{path}' is a {model.Kind} model but {task.Name} is a {(task.IsRegression ? "regression" : "classification")} task.", nameof(path));
        if (!task.IsRegression && model.ClassCount != task.Labels!.Count)
            throw new ArgumentException($"'{path}' predicts {model.ClassCount} classes but {task.Name} has {task.Labels.Count}.", nameof(path));
        if ((model.Info.SecondSentenceColumnName is not null) != task.IsPairTask)
            throw new ArgumentException($"'{path}' reads {(model.Info.SecondSentenceColumnName is null ? "single sentences" : "sentence pairs")} but {task.Name} has {(task.IsPairTask ? "pairs" : "single sentences")}.", nameof(path));
    }

    internal static FineTuningRows Tokenize(EncoderFineTuningTransformer model, GlueTask task, IReadOnlyList<GlueExample> examples)
    {
        EncoderTokenizer tokenizer = model.Serving.Tokenizer;
        var rows = examples.Select(e => task.IsPairTask ? tokenizer.Tokenize(e.Sentence1, e.Sentence2) : tokenizer.Tokenize(e.Sentence1)).ToArray();
        var targets = examples.Select(e => task.IsRegression ? e.Score : e.LabelIndex).ToArray();
        return new FineTuningRows(rows, targets);
    }

    /// <summary>The dev and speed figures of model <paramref name="i"/> of a <see cref="Measure"/> run, relative to model 0 (the original).</summary>
    internal static ClassifierVariantFigures MeasuredFigures(GlueResult[] metrics, (double Wall, double Cpu)[] speed, int i) => new()
    {
        Variant = "",
        Dev = metrics[i].ByName.ToDictionary(m => m.Key, m => Math.Round(100 * m.Value, 2)),
        DevPrimary = Math.Round(100 * metrics[i].Primary, 2),
        DevRetained = Math.Round(metrics[i].Primary / metrics[0].Primary, 4),
        RowsPerSecond = Math.Round(speed[i].Wall, 2),
        RowsPerCpuSecond = Math.Round(speed[i].Cpu, 2),
        Speedup = Math.Round(speed[i].Wall / speed[0].Wall, 3),
        SpeedupCpu = Math.Round(speed[i].Cpu / speed[0].Cpu, 3),
    };

    internal static (GlueResult[] Metrics, (double Wall, double Cpu)[] Speed) Measure(EncoderFineTuningTransformer[] models, GlueTask task,
        IReadOnlyList<GlueExample> dev, int rounds, CancellationToken cancellationToken)
    {
        string[] first = dev.Select(d => d.Sentence1).ToArray();
        string[]? second = task.IsPairTask ? dev.Select(d => d.Sentence2).ToArray() : null;
        var metrics = new GlueResult[models.Length];
        var best = new (double Wall, double Cpu)[models.Length];
        using var process = Process.GetCurrentProcess();
        for (int round = 0; round < rounds; round++)
        {
            IEnumerable<int> order = round % 2 == 0 ? Enumerable.Range(0, models.Length) : Enumerable.Range(0, models.Length).Reverse();
            foreach (int i in order)
            {
                cancellationToken.ThrowIfCancellationRequested();
                models[i].Predict(first.Take(16).ToArray(), second?.Take(16).ToArray()); // warm-up: session start and first allocations
                process.Refresh();
                TimeSpan cpu = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                float[][] outputs = models[i].Predict(first, second);
                double wall = dev.Count / clock.Elapsed.TotalSeconds;
                process.Refresh();
                double perCpu = dev.Count / Math.Max(1e-9, (process.TotalProcessorTime - cpu).TotalSeconds);
                best[i] = (Math.Max(best[i].Wall, wall), Math.Max(best[i].Cpu, perCpu));
                metrics[i] ??= task.IsRegression
                    ? GlueEvaluator.Evaluate(task, dev.Select(d => (double)d.Score).ToArray(), outputs.Select(o => (double)o[0]).ToArray())
                    : GlueEvaluator.Evaluate(task, dev.Select(d => d.LabelIndex).ToArray(), outputs.Select(o => FineTuningTask.ArgMax(o)).ToArray());
            }
        }
        return (metrics, best);
    }
}
