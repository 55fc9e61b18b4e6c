using System.ComponentModel;
using System.Globalization;
using MLNetExt.Cli.Commands.Contrastive;
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
        [Description("Encoder to start from: a pretrained name (all-MiniLM-L6-v2, snowflake-arctic-embed-xs) or a folder with model.onnx, vocab.txt and config.json (e.g. written by 'train export'). Default all-MiniLM-L6-v2.")]
        public string? Encoder { get; init; }

        /// <summary>A fine-tuned model to continue training.</summary>
        [CommandOption("--init-model <ZIP>")]
        [Description("Continue training a model.zip written by train classify --out on the same task (its encoder, head and pooling) with a fresh learning-rate schedule, e.g. for another epoch. Not with --encoder or --pooling.")]
        public string? InitModel { get; init; }

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

        /// <summary>Warmup fraction.</summary>
        [CommandOption("--warmup <FRACTION>")]
        [Description("Fraction of the steps of linear learning-rate warmup, then linear decay to 0 (default 0.1).")]
        public double Warmup { get; init; } = 0.1;

        /// <summary>Length-bucketed batches.</summary>
        [CommandOption("--length-buckets <N>")]
        [Description("Batch rows of similar token length: sort the shuffled rows by length within windows of N batches, then shuffle the batches (0: off, the default; 50-100 removes most padding, the order stays a function of --seed, so resume is exact).")]
        public int LengthBuckets { get; init; }

        /// <summary>Gradient accumulation.</summary>
        [CommandOption("--grad-accumulation <N>")]
        [Description("Run each --batch-size batch as N micro-batches and take one optimiser step on their summed gradients (default 1).")]
        public int GradientAccumulation { get; init; } = 1;

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

        /// <summary>Sentence pooling of the head: mean or cls.</summary>
        [CommandOption("--pooling <MODE>")]
        [Description("Sentence pooling under the head: mean or cls (default: the encoder's own, mean for all-MiniLM-L6-v2).")]
        public string? Pooling { get; init; }

        /// <summary>Score dev during training and keep the best step.</summary>
        [CommandOption("--eval-every <epoch|N>")]
        [Description("Score dev during training, at each epoch end ('epoch') or every N steps, by the task's GLUE measure (accuracy; F1 for MRPC; MCC for CoLA; Spearman for STS-B); " +
            "the model ends with the best evaluation's weights. Dev then selects the model, so its score is optimistic.")]
        public string? EvalEvery { get; init; }

        /// <summary>Early-stopping patience.</summary>
        [CommandOption("--early-stopping <N>")]
        [Description("Stop after N dev evaluations without improvement (needs --eval-every).")]
        public int EarlyStopping { get; init; }

        /// <summary>Keep the last step's weights.</summary>
        [CommandOption("--keep-last")]
        [Description("With --eval-every: end with the last step's weights instead of the best evaluation's.")]
        public bool KeepLast { get; init; }

        /// <summary>Folder for checkpoints; a rerun with the same settings resumes from it.</summary>
        [CommandOption("--checkpoint-dir <DIR>")]
        public string? CheckpointDirectory { get; init; }

        /// <summary>Write a checkpoint every this many steps (default: at the end of each epoch).</summary>
        [CommandOption("--checkpoint-every <N>")]
        [Description("With --checkpoint-dir: write a checkpoint every N steps (default: at the end of each epoch).")]
        public int? CheckpointEverySteps { get; init; }

        /// <summary>Folder to write the fine-tuned model (model.zip, model.onnx) into.</summary>
        [CommandOption("--out <DIR>")]
        [Description("Save the fine-tuned model into DIR (model.zip for EncoderFineTuningTransformer.Load, model.onnx). Not with --mode frozen, which fine-tunes nothing.")]
        public string? Out { get; init; }

        /// <summary>File to write the results to as JSON.</summary>
        [CommandOption("--json <FILE>")]
        [Description("Write the results (settings, dev measures, training figures) as JSON.")]
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
            if (Out is not null && Mode == "frozen") return ValidationResult.Error("--out saves the fine-tuned model; --mode frozen fine-tunes none.");
            if (BatchSize < 1) return ValidationResult.Error($"--batch-size must be at least 1, got {BatchSize}.");
            if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) return ValidationResult.Error($"--learning-rate must be a positive number, got {LearningRate.ToString(CultureInfo.InvariantCulture)}.");
            if (Warmup is < 0 or >= 1 || double.IsNaN(Warmup)) return ValidationResult.Error($"--warmup must be in [0, 1), got {Warmup.ToString(CultureInfo.InvariantCulture)}.");
            if (LengthBuckets < 0) return ValidationResult.Error($"--length-buckets must not be negative, got {LengthBuckets}.");
            if (GradientAccumulation < 1 || GradientAccumulation > BatchSize) return ValidationResult.Error($"--grad-accumulation must be between 1 and --batch-size ({BatchSize}), got {GradientAccumulation}.");
            if (InitModel is not null && (Encoder is not null || Pooling is not null)) return ValidationResult.Error("--init-model continues a model with its own encoder and pooling; leave out --encoder and --pooling.");
            if (InitModel is not null && Mode != "finetune") return ValidationResult.Error($"--init-model needs --mode finetune (the frozen baseline has nothing to continue), got '{Mode}'.");
            if (Pooling is not (null or "mean" or "cls")) return ValidationResult.Error($"--pooling must be mean or cls, got '{Pooling}'.");
            if (EvalEvery is not null && TrainEmbedCommand.Settings.ParseEvery(EvalEvery) is null) return ValidationResult.Error($"--eval-every must be 'epoch' or a positive number of steps, got '{EvalEvery}'.");
            if (EvalEvery is not null && Mode == "frozen") return ValidationResult.Error("--eval-every scores the fine-tuned model during training; --mode frozen fine-tunes none.");
            if (EarlyStopping < 0) return ValidationResult.Error($"--early-stopping must not be negative, got {EarlyStopping}.");
            if (EarlyStopping > 0 && EvalEvery is null) return ValidationResult.Error("--early-stopping needs --eval-every.");
            if (KeepLast && EvalEvery is null) return ValidationResult.Error("--keep-last needs --eval-every (without it the model always ends with the last step's weights).");
            if (MaxTokens is < 3 or > 512) return ValidationResult.Error($"--max-tokens must be between 3 and 512, got {MaxTokens}.");
            return ValidationResult.Success();
        }

        /// <summary>The library options these flags stand for.</summary>
        internal GlueBenchmarkOptions ToOptions()
        {
            GlueTask task = GlueTask.FromName(Task);
            if (!GlueBenchmarkOptions.SupportedTasks.Contains(task))
                throw new UsageException($"--task {Task}: this verb trains {string.Join(", ", GlueBenchmarkOptions.SupportedTasks.Select(t => t.Name))}.");
            string encoder = Encoder ?? "all-MiniLM-L6-v2";
            ModelArgument.RequireFolderIfPath(encoder, "--encoder");
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
                    Encoder = InitModel is null ? ModelArgument.Resolve(encoder) : null,
                    InitialModel = InitModel is null ? null : EncoderFineTuningTransformer.Load(new Microsoft.ML.MLContext(Seed), InitModel),
                    MaxTokens = MaxTokens,
                    FreezeEncoder = FreezeEncoder,
                    Pooling = Pooling switch { "mean" => EncoderPooling.Mean, "cls" => EncoderPooling.Cls, _ => null },
                    Training = new TrainingOptions
                    {
                        BatchSize = BatchSize, Epochs = Epochs, LearningRate = LearningRate, WarmupFraction = Warmup,
                        LengthBucketBatches = LengthBuckets, GradientAccumulationSteps = GradientAccumulation,
                        Seed = Seed, CheckpointDirectory = CheckpointDirectory, CheckpointEverySteps = CheckpointEverySteps ?? 0,
                        EvaluateEverySteps = EvalEvery is null ? 0 : TrainEmbedCommand.Settings.ParseEvery(EvalEvery)!.Value,
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
