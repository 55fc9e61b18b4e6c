using MLNetExt.Transforms.IO;
using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands;

/// <summary>
/// <c>mlnetext train classify</c>: fine-tunes an encoder (all-MiniLM-L6-v2 unless <c>--encoder</c> names another or a
/// Hugging Face-layout folder) on a GLUE task (SST-2, MRPC, CoLA, RTE, STS-B), evaluates on dev with the GLUE
/// evaluator, and by default also runs the frozen-encoder baseline (the same encoder's embeddings + a stock ML.NET
/// trainer) on the same rows.
/// </summary>
public sealed class TrainClassifyCommand : Command<TrainClassifyCommand.Settings>
{
    /// <summary>Options of <c>train classify</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>GLUE task: sst2, mrpc, cola, rte or stsb.</summary>
        [CommandOption("--task <TASK>")]
        [Description("GLUE task: sst2, mrpc, cola, rte or stsb.")]
        public string Task { get; init; } = "";

        /// <summary>The task folder (train.tsv, dev.tsv) or a folder holding one sub-folder per task.</summary>
        [CommandOption("--data <DIR>")]
        [Description("Task folder with train.tsv and dev.tsv, or the folder holding sst2/, mrpc/, ...")]
        public string Data { get; init; } = "";

        /// <summary>Pretrained encoder name, or a Hugging Face-layout folder (model.onnx, vocab.txt, config.json).</summary>
        [CommandOption("--encoder <NAME|DIR>")]
        [Description("Encoder to start from: a pretrained name (all-MiniLM-L6-v2, snowflake-arctic-embed-xs) or a folder with model.onnx, vocab.txt and config.json (e.g. written by 'train export').")]
        public string Encoder { get; init; } = "all-MiniLM-L6-v2";

        /// <summary>Passes over the training rows.</summary>
        [CommandOption("--epochs <N>")]
        public int Epochs { get; init; } = 1;

        /// <summary>Use at most this many training rows (a seeded random sample).</summary>
        [CommandOption("--max-train-rows <N>")]
        public int? MaxTrainRows { get; init; }

        /// <summary>Rows per step.</summary>
        [CommandOption("--batch-size <N>")]
        public int BatchSize { get; init; } = 32;

        /// <summary>Peak learning rate.</summary>
        [CommandOption("--learning-rate <LR>")]
        public double LearningRate { get; init; } = 5e-5;

        /// <summary>Longest input in tokens.</summary>
        [CommandOption("--max-tokens <N>")]
        public int MaxTokens { get; init; } = 128;

        /// <summary>Seed of sampling, data order, dropout and head initialisation.</summary>
        [CommandOption("--seed <N>")]
        public int Seed { get; init; } = 42;

        /// <summary>finetune, frozen (baseline only) or both.</summary>
        [CommandOption("--mode <MODE>")]
        [Description("finetune, frozen (baseline only) or both (default).")]
        public string Mode { get; init; } = "both";

        /// <summary>Train the head only (encoder frozen, still run through TorchSharp).</summary>
        [CommandOption("--freeze-encoder")]
        public bool FreezeEncoder { get; init; }

        /// <summary>Folder for checkpoints; a rerun with the same settings resumes from it.</summary>
        [CommandOption("--checkpoint-dir <DIR>")]
        public string? CheckpointDirectory { get; init; }

        /// <summary>Write a checkpoint every this many steps (default: at the end of each epoch).</summary>
        [CommandOption("--checkpoint-every <N>")]
        [Description("With --checkpoint-dir: write a checkpoint every N steps (default: at the end of each epoch).")]
        public int? CheckpointEverySteps { get; init; }

        /// <summary>Folder to write the fine-tuned model (model.zip, model.onnx) into.</summary>
        [CommandOption("--out <DIR>")]
        public string? Out { get; init; }

        /// <summary>File to write the results to as JSON.</summary>
        [CommandOption("--json <FILE>")]
        public string? Json { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate()
        {
            if (string.IsNullOrEmpty(Task)) return ValidationResult.Error("--task is required (sst2, mrpc, cola, rte or stsb).");
            if (string.IsNullOrEmpty(Data)) return ValidationResult.Error("--data is required.");
            if (Epochs < 1) return ValidationResult.Error($"--epochs must be at least 1, got {Epochs}.");
            if (MaxTrainRows is < 1) return ValidationResult.Error($"--max-train-rows must be at least 1, got {MaxTrainRows}.");
            if (Mode is not ("finetune" or "frozen" or "both")) return ValidationResult.Error($"--mode must be finetune, frozen or both, got '{Mode}'.");
            if (CheckpointEverySteps is < 1) return ValidationResult.Error($"--checkpoint-every must be at least 1, got {CheckpointEverySteps}.");
            if (CheckpointEverySteps is not null && CheckpointDirectory is null) return ValidationResult.Error("--checkpoint-every needs --checkpoint-dir.");
            return ValidationResult.Success();
        }
    }

    private static readonly string[] Supported = ["sst2", "mrpc", "cola", "rte", "stsb"];

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        GlueTask task = GlueTask.FromName(settings.Task);
        string key = task.Name.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        if (!Supported.Contains(key))
            throw new ArgumentException($"--task {settings.Task}: this verb trains {string.Join(", ", Supported)}.");
        string folder = File.Exists(Path.Combine(settings.Data, "train.tsv")) || File.Exists(Path.Combine(settings.Data, task.DevFile))
            ? settings.Data : Path.Combine(settings.Data, key);
        string trainFile = Path.Combine(folder, "train.tsv");
        if (!File.Exists(trainFile))
            throw new FileNotFoundException($"No training file '{trainFile}' (GLUE {task.Name} ships train.tsv; the shared RTE folder has only dev.tsv).", trainFile);

        IReadOnlyList<GlueExample> train = GlueReader.Read(task, trainFile);
        if (settings.MaxTrainRows is int max && max < train.Count)
        {
            GlueExample[] shuffled = [.. train];
            new Random(settings.Seed).Shuffle(shuffled);
            train = shuffled[..max];
        }
        IReadOnlyList<GlueExample> dev = GlueReader.ReadDev(task, folder);
        EncoderModel encoder = ModelArgument.Resolve(settings.Encoder);
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(task.Name)}[/]: {train.Count} training rows, {dev.Count} dev rows, {settings.Epochs} epoch(s), {Environment.ProcessorCount} threads");

        var report = new Dictionary<string, object?>
        {
            ["task"] = task.Name,
            ["trainRows"] = train.Count,
            ["devRows"] = dev.Count,
            ["epochs"] = settings.Epochs,
            ["batchSize"] = settings.BatchSize,
            ["learningRate"] = settings.LearningRate,
            ["maxTokens"] = settings.MaxTokens,
            ["seed"] = settings.Seed,
            ["encoder"] = encoder.Name,
            ["threads"] = Environment.ProcessorCount,
            ["command"] = "mlnetext " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
        };
        var table = new Table().AddColumns("model", "dev metrics", "seconds");

        if (settings.Mode is "finetune" or "both")
        {
            FineTuneOutcome outcome = FineTune(task, train, dev, encoder, settings, cancellationToken);
            report["fineTuned"] = outcome.Json;
            table.AddRow(Markup.Escape(settings.FreezeEncoder ? "head only (encoder frozen)" : "fine-tuned " + encoder.Name), Format(outcome.Metrics), outcome.Seconds.ToString("F1", CultureInfo.InvariantCulture));
        }
        if (settings.Mode is "frozen" or "both")
        {
            TrainFrozenBaseline.Outcome baseline = TrainFrozenBaseline.Run(task, train, dev, encoder, settings.Seed, cancellationToken);
            report["frozenBaseline"] = new Dictionary<string, object?>
            {
                ["trainer"] = baseline.Trainer, ["dev"] = baseline.Metrics, ["seconds"] = baseline.Seconds, ["cosineSimilarityDev"] = baseline.Cosine,
            };
            table.AddRow(Markup.Escape("frozen embeddings + " + baseline.Trainer), Format(baseline.Metrics), baseline.Seconds.ToString("F1", CultureInfo.InvariantCulture));
            if (baseline.Cosine is not null)
                table.AddRow("frozen embeddings, cosine (no training)", Format(baseline.Cosine), "-");
        }
        AnsiConsole.Write(table);

        if (settings.Json is not null)
        {
            MLNetExt.Transforms.IO.AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            AnsiConsole.MarkupLine($"Results written to [blue]{Markup.Escape(Path.GetFullPath(settings.Json))}[/]");
        }
        return 0;
    }

    private sealed record FineTuneOutcome(IReadOnlyDictionary<string, double> Metrics, double Seconds, Dictionary<string, object?> Json);

    private sealed class GlueRow
    {
        public string Sentence { get; set; } = "";
        public string Sentence2 { get; set; } = "";
        public string LabelText { get; set; } = "";
        public float Label { get; set; }
    }

    private sealed class LabelName
    {
        public string LabelText { get; set; } = "";
    }

    private static FineTuneOutcome FineTune(GlueTask task, IReadOnlyList<GlueExample> train, IReadOnlyList<GlueExample> dev, EncoderModel encoder,
        Settings settings, CancellationToken cancellationToken)
    {
        var ml = new MLContext(settings.Seed);
        IDataView data = ml.Data.LoadFromEnumerable(train.Select(e => new GlueRow { Sentence = e.Sentence1, Sentence2 = e.Sentence2, LabelText = e.Label, Label = e.Score }).ToArray());
        if (!task.IsRegression)
        {
            // Key i + 1 is class i of the task (GLUE's label order), whatever order the rows come in.
            IDataView keys = ml.Data.LoadFromEnumerable(task.Labels!.Select(l => new LabelName { LabelText = l }).ToArray());
            data = ml.Transforms.Conversion.MapValueToKey("Label", nameof(GlueRow.LabelText), keyData: keys).Fit(data).Transform(data);
        }
        var options = new EncoderFineTuningOptions
        {
            Encoder = encoder,
            SentenceColumnName = nameof(GlueRow.Sentence),
            SecondSentenceColumnName = task.IsPairTask ? nameof(GlueRow.Sentence2) : null,
            MaxTokens = settings.MaxTokens,
            FreezeEncoder = settings.FreezeEncoder,
            Training = new TrainingOptions
            {
                BatchSize = settings.BatchSize, Epochs = settings.Epochs, LearningRate = settings.LearningRate,
                Seed = settings.Seed, CheckpointDirectory = settings.CheckpointDirectory, CheckpointEverySteps = settings.CheckpointEverySteps ?? 0,
            },
        };
        Action<TrainingProgress>? onStep = null;
        options.Progress = new SynchronousProgress(p => onStep?.Invoke(p)); // the trainer copies its options: hook in first
        EncoderFineTuningTrainer trainer = task.IsRegression
            ? ml.Regression.Trainers.EncoderSentenceSimilarity(options)
            : ml.MulticlassClassification.Trainers.EncoderTextClassification(options);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        EncoderFineTuningTransformer? model = null;
        if (AnsiConsole.Profile.Capabilities.Interactive)
        {
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    ProgressTask bar = ctx.AddTask("fine-tuning", maxValue: 1);
                    onStep = p =>
                    {
                        bar.MaxValue = p.TotalSteps;
                        bar.Value = p.Step;
                        bar.Description = string.Create(CultureInfo.InvariantCulture, $"step {p.Step}/{p.TotalSteps} loss {p.Loss:F3} {p.RowsPerSecond:F1} rows/s");
                    };
                    model = trainer.Fit(data, cancellationToken);
                });
        }
        else
        {
            // Redirected output (logs, CI): a plain line every 5% of the steps instead of a live bar.
            onStep = p =>
            {
                if (p.Step == p.TotalSteps || p.Step % Math.Max(1, p.TotalSteps / 20) == 0)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"step {p.Step}/{p.TotalSteps} loss {p.Loss:F3} lr {p.LearningRate:E2} {p.RowsPerSecond:F1} rows/s ({clock.Elapsed.TotalSeconds:F0} s)"));
            };
            model = trainer.Fit(data, cancellationToken);
        }
        using EncoderFineTuningTransformer fitted = model!;
        double fitSeconds = clock.Elapsed.TotalSeconds;
        // CPU seconds of this process during Fit: on a shared machine wall time also counts other processes' load.
        double fitCpuSeconds = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;

        var evalClock = System.Diagnostics.Stopwatch.StartNew();
        float[][] outputs = fitted.Predict(dev.Select(d => d.Sentence1).ToArray(), task.IsPairTask ? dev.Select(d => d.Sentence2).ToArray() : null);
        IReadOnlyDictionary<string, double> metrics = task.IsRegression
            ? GlueEvaluator.Evaluate(task, dev.Select(d => (double)d.Score).ToArray(), outputs.Select(o => (double)o[0]).ToArray()).ByName
            : GlueEvaluator.Evaluate(task, dev.Select(d => d.LabelIndex).ToArray(), outputs.Select(o => Array.IndexOf(o, o.Max())).ToArray()).ByName;
        double evalSeconds = evalClock.Elapsed.TotalSeconds;

        if (settings.Out is not null)
        {
            fitted.Save(Path.Combine(settings.Out, "model.zip"));
            fitted.ExportOnnx(Path.Combine(settings.Out, "model.onnx"));
        }
        TrainingResult run = fitted.TrainingResult!;
        var json = new Dictionary<string, object?>
        {
            ["dev"] = metrics,
            ["fitSeconds"] = fitSeconds,
            ["fitCpuSeconds"] = fitCpuSeconds,
            ["loadAverage1m"] = LoadAverage(),
            ["trainingStepSeconds"] = run.TrainingSeconds,
            ["secondsPerEpoch"] = run.TrainingSeconds / settings.Epochs,
            ["trainingSentencesPerSecond"] = run.RowsPerSecond * (task.IsPairTask ? 2 : 1),
            ["trainingRowsPerSecond"] = run.RowsPerSecond,
            ["batchPreparationFraction"] = run.BatchPreparationSeconds / Math.Max(1e-9, run.TrainingSeconds),
            ["meanLoss"] = double.IsNaN(run.MeanLoss) ? null : run.MeanLoss, // NaN: no step left to run after a resume
            ["steps"] = run.Steps,
            ["resumedFromStep"] = run.ResumedFromStep,
            ["devInferenceSeconds"] = evalSeconds,
            ["freezeEncoder"] = settings.FreezeEncoder,
        };
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"trained {run.Steps} steps in {run.TrainingSeconds:F1} s, {fitCpuSeconds:F0} CPU-s for the whole fit, load average {LoadAverage()} ({run.RowsPerSecond:F1} rows/s, batch preparation {100 * run.BatchPreparationSeconds / Math.Max(1e-9, run.TrainingSeconds):F2}% of step time)"));
        return new FineTuneOutcome(metrics, fitSeconds, json);
    }

    private static double? LoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string Format(IReadOnlyDictionary<string, double> metrics) =>
        string.Join(", ", metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {100 * m.Value:F2}")));

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
