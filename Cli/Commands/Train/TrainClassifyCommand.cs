using System.ComponentModel;
using System.Globalization;
using MLNetExt.Cli.Infrastructure;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Transforms;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Glue;
using MLNetExt.Trainers.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Train;

/// <summary>
/// <c>mlnetext train classify</c>: <see cref="GlueBenchmark"/> on the command line. Fine-tunes an encoder
/// (all-MiniLM-L6-v2 unless <c>--encoder</c> names another or a Hugging Face-layout folder) on a GLUE task, scores it
/// on dev, and by default also runs the frozen-encoder baseline on the same rows.
/// </summary>
public sealed class TrainClassifyCommand : Command<TrainClassifyCommand.Settings>
{
    /// <summary>Options of <c>train classify</c>.</summary>
    public sealed class Settings : EvaluatedTrainingLoopSettings
    {
        /// <summary>GLUE task: sst2, mrpc, cola, rte or stsb.</summary>
        [CommandOption("--task <TASK>")]
        [Description("GLUE task: sst2, mrpc, cola, rte or stsb.")]
        public string Task { get; init; } = "";

        /// <summary>The task folder (train.tsv, dev.tsv) or a folder holding one sub-folder per task.</summary>
        [CommandOption("--data <DIR>")]
        [Description("Task folder with train.tsv and dev.tsv, or the folder holding sst2/, mrpc/, ...")]
        public string Data { get; init; } = "";

        /// <summary>A fine-tuned model to continue training.</summary>
        [CommandOption("--init-model <ZIP>")]
        [Description("Continue training a model.zip written by train classify --out on the same task (its encoder, head and pooling) with a fresh learning-rate schedule, e.g. for another epoch. Not with --encoder or --pooling.")]
        public string? InitModel { get; init; }

        /// <summary>Use at most this many training rows (a seeded random sample).</summary>
        [CommandOption("--max-train-rows <N>")]
        public int? MaxTrainRows { get; init; }

        /// <summary>Gradient accumulation.</summary>
        [CommandOption("--grad-accumulation <N>")]
        [Description("Run each --batch-size batch as N micro-batches and take one optimiser step on their summed gradients (default 1).")]
        public int GradientAccumulation { get; init; } = 1;

        /// <summary>finetune, frozen (baseline only) or both.</summary>
        [CommandOption("--mode <MODE>")]
        [Description("finetune, frozen (baseline only) or both (default).")]
        public string Mode { get; init; } = "both";

        /// <summary>Train the head only (encoder frozen, still run through TorchSharp).</summary>
        [CommandOption("--freeze-encoder")]
        public bool FreezeEncoder { get; init; }

        /// <summary>Folder to write the fine-tuned model (model.zip, model.onnx) into.</summary>
        [CommandOption("--out <DIR>")]
        [Description("Save the fine-tuned model into DIR (model.zip for EncoderFineTuningTransformer.Load, model.onnx). Not with --mode frozen, which fine-tunes nothing.")]
        public string? Out { get; init; }

        /// <summary>Write a checkpoint every this many steps (default: at the end of each epoch).</summary>
        [CommandOption("--checkpoint-every <N>")]
        [Description("With --checkpoint-dir: write a checkpoint every N steps (default: at the end of each epoch).")]
        public int? CheckpointEverySteps { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate()
        {
            if (string.IsNullOrEmpty(Task)) return ValidationResult.Error("--task is required (sst2, mrpc, cola, rte or stsb).");
            if (string.IsNullOrEmpty(Data)) return ValidationResult.Error("--data is required.");
            ValidationResult shared = ValidateEvaluatedTrainingLoop();
            if (!shared.Successful) return shared;
            if (MaxTrainRows is < 1) return ValidationResult.Error($"--max-train-rows must be at least 1, got {MaxTrainRows}.");
            if (Mode is not ("finetune" or "frozen" or "both")) return ValidationResult.Error($"--mode must be finetune, frozen or both, got '{Mode}'.");
            if (CheckpointEverySteps is < 1) return ValidationResult.Error($"--checkpoint-every must be at least 1, got {CheckpointEverySteps}.");
            if (CheckpointEverySteps is not null && CheckpointDirectory is null) return ValidationResult.Error("--checkpoint-every needs --checkpoint-dir.");
            if (Out is not null && Mode == "frozen") return ValidationResult.Error("--out saves the fine-tuned model; --mode frozen fine-tunes none.");
            if (GradientAccumulation < 1 || GradientAccumulation > BatchSize) return ValidationResult.Error($"--grad-accumulation must be between 1 and --batch-size ({BatchSize}), got {GradientAccumulation}.");
            if (InitModel is not null && (Encoder is not null || Pooling is not null)) return ValidationResult.Error("--init-model continues a model with its own encoder and pooling; leave out --encoder and --pooling.");
            if (InitModel is not null && Mode != "finetune") return ValidationResult.Error($"--init-model needs --mode finetune (the frozen baseline has nothing to continue), got '{Mode}'.");
            if (EvalEvery is not null && Mode == "frozen") return ValidationResult.Error("--eval-every scores the fine-tuned model during training; --mode frozen fine-tunes none.");
            if (MaxTokens is > 512) return ValidationResult.Error($"--max-tokens must be between 3 and 512, got {MaxTokens}.");
            return ValidationResult.Success();
        }

        /// <inheritdoc/>
        protected override double DefaultLearningRate => 5e-5;

        /// <summary>The library options these flags stand for.</summary>
        internal GlueBenchmarkOptions ToOptions()
        {
            GlueTask task = GlueTask.FromName(Task);
            if (!GlueBenchmarkOptions.SupportedTasks.Contains(task))
                throw new UsageException($"--task {Task}: this verb trains {string.Join(", ", GlueBenchmarkOptions.SupportedTasks.Select(t => t.Name))}.");
            ModelArgument.RequireFolderIfPath(EncoderName, "--encoder");
            if (InitModel is not null && !File.Exists(InitModel))
                throw new UsageException($"--init-model: '{InitModel}' does not exist (expected a model.zip written by train classify --out).");
            return new GlueBenchmarkOptions
            {
                Task = task,
                DataFolder = Data,
                MaxTrainRows = MaxTrainRows,
                Mode = Mode switch { "finetune" => GlueBenchmarkMode.FineTune, "frozen" => GlueBenchmarkMode.Frozen, _ => GlueBenchmarkMode.Both },
                OutputFolder = Out,
                ValidateOnDev = EvalEvery is not null,
                FineTuning = new EncoderFineTuningOptions
                {
                    Encoder = InitModel is null ? ModelArgument.Resolve(EncoderName) : null,
                    InitialModel = InitModel is null ? null : EncoderFineTuningTransformer.Load(new Microsoft.ML.MLContext(Seed), InitModel),
                    MaxTokens = InputTokens,
                    FreezeEncoder = FreezeEncoder,
                    Pooling = PoolingMode,
                    Training = new TrainingOptions
                    {
                        BatchSize = BatchSize, Epochs = Epochs, MaxSteps = MaxSteps, LearningRate = PeakLearningRate, WarmupFraction = Warmup,
                        LengthBucketBatches = LengthBuckets, GradientAccumulationSteps = GradientAccumulation,
                        Seed = Seed, CheckpointDirectory = CheckpointDirectory, CheckpointEverySteps = CheckpointEverySteps ?? 0,
                        EvaluateEverySteps = EvaluationSteps ?? 0,
                        EarlyStoppingPatience = EarlyStopping, KeepBestModel = !KeepLast,
                    },
                },
            };
        }
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        OutputPaths.RequireWritableFolder(settings.Out, "--out");
        GlueBenchmarkOptions options = settings.ToOptions();
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(options.Task.Name)}[/]: {settings.Epochs} epoch(s), {Environment.ProcessorCount} threads");
        GlueBenchmarkResult result = ConsoleProgress.Training("fine-tuning", progress => GlueBenchmark.Run(options, progress, cancellationToken))
            with { Command = "mlnetext " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)) };

        AnsiConsole.MarkupLine($"{result.TrainRows} training rows, {result.DevRows} dev rows, encoder {Markup.Escape(result.Encoder)}");
        var table = new Table().AddColumns("model", "dev metrics", "seconds");
        if (result.FineTuned is FineTunedGlueResult tuned)
        {
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"trained {tuned.Steps} steps in {tuned.TrainingStepSeconds:F1} s, {tuned.FitCpuSeconds:F0} CPU-s for the whole fit, load average {tuned.LoadAverage1m} ({tuned.TrainingRowsPerSecond:F1} rows/s, batch preparation {100 * tuned.BatchPreparationFraction:F2}% of step time)"));
            foreach (GlueEvaluationPoint point in tuned.Evaluations)
                AnsiConsole.MarkupLine(Markup.Escape($"  dev at step {point.Step}: {Format(point.Dev)}"));
            if (tuned.ValidationMetric is not null)
                AnsiConsole.MarkupLine(Markup.Escape($"model from step {tuned.FinalStep} of {tuned.Steps} (best dev {tuned.ValidationMetric})"));
            table.AddRow(Markup.Escape(tuned.FreezeEncoder ? "head only (encoder frozen)" : "fine-tuned " + result.Encoder), Format(tuned.Dev), tuned.FitSeconds.ToString("F1", CultureInfo.InvariantCulture));
        }
        if (result.FrozenBaseline is FrozenBaselineResult baseline)
        {
            table.AddRow(Markup.Escape("frozen embeddings + " + baseline.Trainer), Format(baseline.Metrics), baseline.Seconds.ToString("F1", CultureInfo.InvariantCulture));
            if (baseline.Cosine is not null)
                table.AddRow("frozen embeddings, cosine (no training)", Format(baseline.Cosine), "-");
        }
        AnsiConsole.Write(table);

        if (settings.Json is not null)
        {
            ResultJson.Write(settings.Json, result);
            AnsiConsole.MarkupLine($"Results written to [blue]{Markup.Escape(Path.GetFullPath(settings.Json))}[/]");
        }
        return 0;
    }

    private static string Format(IReadOnlyDictionary<string, double> metrics) =>
        string.Join(", ", metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {100 * m.Value:F2}")));
}
