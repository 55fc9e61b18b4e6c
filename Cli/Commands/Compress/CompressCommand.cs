using System.ComponentModel;
using System.Text.Json;
using MLNetExt.Cli.Infrastructure;
using MLNetExt.Trainers.Compression;
using MLNetExt.Transforms.IO;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Compress;

/// <summary>
/// <c>mlnetext compress</c>: layer dropping with distillation, attention-head pruning and/or int8 quantisation of an encoder
/// (<see cref="EncoderCompression"/>); writes the model folder and a report of size, speed and quality against the original.
/// With <c>--model MODEL.zip --task T</c> it prunes the heads or tokens of a fine-tuned classifier, distils it into fewer
/// layers and/or quantises it instead (<see cref="ClassifierCompression"/>).
/// </summary>
public sealed class CompressCommand : Command<CompressCommand.Settings>
{
    /// <summary>Options of <c>compress</c>.</summary>
    public sealed class Settings : FineTunedTaskSettings
    {
        /// <summary>Encoder to compress.</summary>
        [CommandOption("--encoder <NAME|DIR>")]
        [Description("Pretrained encoder name (minilm, arctic-xs) or Hugging Face-layout folder (default minilm).")]
        public string Encoder { get; init; } = "minilm";

        /// <summary>Head pruning methods.</summary>
        [CommandOption("--method <NAMES>")]
        [Description("Head pruning method(s): importance (default; Michel et al. 2019) or shrp (Top-1 routed Expert Attention with shared expanders, Su et al. 2025). With --model, a comma-separated list, each a variant in the report; with --encoder, one method, trained by distillation towards the unpruned encoder on --distill-text.")]
        public string Method { get; init; } = "importance";

        /// <summary>Token keep schedules.</summary>
        [CommandOption("--token-keep <S;S;...>")]
        [Description("With --model: token pruning (Latency Adjustable Transformer). Semicolon-separated keep schedules, each a variant: one rate (0.8: layer l keeps 0.8^l of the tokens) or one fraction per layer (1,1,0.8,0.6,0.5,0.4). One model is fine-tuned for the first (distilling from the original) and serves them all.")]
        public string? TokenKeep { get; init; }

        /// <summary>Heads kept in all.</summary>
        [CommandOption("--keep-heads <N>")]
        [Description("With --model: keep N heads in all (at least one per layer) instead of --prune-heads F.")]
        public int? KeepHeads { get; init; }

        /// <summary>Training row cap.</summary>
        [CommandOption("--max-train-rows <N>")]
        [Description("With --model: use a seeded sample of at most N training rows for scoring and recovery.")]
        public int? MaxTrainRows { get; init; }

        /// <summary>SHRP routing epochs.</summary>
        [CommandOption("--routing-epochs <N>")]
        [Description("With --method shrp: epochs of the routing run over the training rows or --distill-text before the heads are cut (default 1; fractions allowed).")]
        public double RoutingEpochs { get; init; } = 1;

        /// <summary>Distillation weight (SHRP routing; a classifier's student).</summary>
        [CommandOption("--distill-weight <W>")]
        [Description("With --model: the loss is (1 - W) task loss + W KL to the original's outputs, W from 0 to 1. For SHRP's routing run (default 0: the task loss alone) and for a student of --layers / --student-layers (default 1: the original's outputs alone, no labels needed).")]
        public double? DistillWeight { get; init; }

        /// <summary>Distillation temperature of a classifier's student.</summary>
        [CommandOption("--temperature <T>")]
        [Description("With --model and --layers / --student-layers: temperature of the KL between the original's and the student's class distributions (default 2).")]
        public double Temperature { get; init; } = 2;

        /// <summary>Skip the plot.</summary>
        [CommandOption("--no-plot")]
        [Description("Do not write speed_quality.png (quality vs measured speed-up of the original and every variant) into --out.")]
        public bool NoPlot { get; init; }

        /// <summary>Quantise to int8.</summary>
        [CommandOption("--int8")]
        [Description("Quantise the weights to int8 (dynamic quantisation, per output column; ONNX Runtime's integer kernels). With --model: an int8 copy of the original and of every variant, each measured.")]
        public bool Int8 { get; init; }

        /// <summary>Student layers.</summary>
        [CommandOption("--layers <N>")]
        [Description("Keep N of the encoder's layers (spread evenly) and distil the student on --distill-text; with --model, a student of N of the classifier's layers (its embeddings and head copied) distilled on --task's training rows.")]
        public int? Layers { get; init; }

        /// <summary>Teacher layers of the student.</summary>
        [CommandOption("--student-layers <I,J,...>")]
        [Description("The encoder's or --model's layers (0-based, comma-separated, e.g. 0,2,4) the student starts from, instead of --layers N spread evenly.")]
        public string? StudentLayers { get; init; }

        /// <summary>Hidden-state distillation weight.</summary>
        [CommandOption("--hidden-weight <W>")]
        [Description("With --layers / --student-layers: add W times the MSE between each student layer's output and its teacher layer's (over real tokens) to the embedding MSE or, with --model, to the logit distillation (default 0: left out).")]
        public double HiddenWeight { get; init; }

        /// <summary>Attention-map distillation weight.</summary>
        [CommandOption("--attention-weight <W>")]
        [Description("With --layers / --student-layers: add W times the KL divergence between the attention distributions of each student layer's heads and its teacher layer's (over real tokens) to the embedding MSE (default 0: none).")]
        public double AttentionWeight { get; init; }

        /// <summary>Length-sorting window.</summary>
        [CommandOption("--length-buckets <N>")]
        [Description("Batches per length-sorting window while distilling or recovering, so short sentences are not padded to long documents' length (default 50; 0 shuffles without sorting).")]
        public int LengthBuckets { get; init; } = 50;

        /// <summary>Share of attention heads to prune.</summary>
        [CommandOption("--prune-heads <F>")]
        [Description("Remove this share of the attention heads, in (0, 1): the least important by the gradient of the distillation loss w.r.t. a head mask over --importance-batches batches of --distill-text; then a recovery fine-tune towards the original.")]
        public double? PruneHeads { get; init; }

        /// <summary>Batches for head importance.</summary>
        [CommandOption("--importance-batches <N>")]
        [Description("Batches of --distill-text over which head importance is accumulated (default 32).")]
        public int ImportanceBatches { get; init; } = 32;

        /// <summary>Distillation text files.</summary>
        [CommandOption("--distill-text <FILE>")]
        [Description("Unlabelled text for distillation (repeatable): .txt, one text per line; .jsonl, a BEIR corpus (title and text of each document); or a tab-separated file with a header naming --distill-columns.")]
        public string[] DistillText { get; init; } = [];

        /// <summary>Columns of tab-separated distillation files.</summary>
        [CommandOption("--distill-columns <NAMES>")]
        [Description("Comma-separated header names read from tab-separated --distill-text files (default sentence1,sentence2).")]
        public string DistillColumns { get; init; } = "sentence1,sentence2";

        /// <summary>Cap on distillation texts.</summary>
        [CommandOption("--max-distill-texts <N>")]
        [Description("Use at most N distinct distillation texts, taken from the --distill-text files in turn (one from each), so every file contributes.")]
        public int? MaxDistillTexts { get; init; }

        /// <summary>Distillation epochs.</summary>
        [CommandOption("--epochs <N>")]
        public int Epochs { get; init; } = 1;

        /// <summary>Distillation batch size.</summary>
        [CommandOption("--batch-size <N>")]
        public int BatchSize { get; init; } = 32;

        /// <summary>Learning rate of distillation or recovery.</summary>
        [CommandOption("--learning-rate <LR>")]
        [Description("Learning rate of distillation (default 1e-4) or, with --model, of the recovery and token-pruning fine-tunes (default 5e-5) and of the student's distillation (default 1e-4).")]
        public double? LearningRate { get; init; }

        /// <summary>Longest input while distilling.</summary>
        [CommandOption("--max-tokens <N>")]
        [Description("With --encoder: longest input in tokens while distilling or recovering (default 128); the written model keeps the encoder's own limit for serving. A fine-tuned --model trains at its own limit.")]
        public int? MaxTokens { get; init; }

        /// <summary>Seed.</summary>
        [CommandOption("--seed <N>")]
        public int Seed { get; init; } = 42;

        /// <summary>Checkpoint folder of the distillation.</summary>
        [CommandOption("--checkpoint-dir <DIR>")]
        public string? CheckpointDirectory { get; init; }

        /// <summary>Output folder.</summary>
        [CommandOption("--out <DIR>")]
        [Description("Folder the compressed model is written to (model.onnx, vocab.txt, config.json). Required.")]
        public string Out { get; init; } = "";

        /// <summary>STS file.</summary>
        [CommandOption("--eval-sts <FILE>")]
        [Description("STS file (e.g. shared/data/stsb/dev.tsv) scored by both models (cosine Spearman).")]
        public string? EvalSts { get; init; }

        /// <summary>BEIR folder.</summary>
        [CommandOption("--eval-beir <DIR>")]
        [Description("BEIR folder (e.g. shared/data/scifact) whose test split is scored (NDCG@10); encodes the whole corpus.")]
        public string? EvalBeir { get; init; }

        /// <summary>Skip the original's quality figures.</summary>
        [CommandOption("--no-original-eval")]
        [Description("Score only the compressed model on --eval-sts / --eval-beir (when the original's figures are known).")]
        public bool NoOriginalEval { get; init; }

        /// <summary>Texts timed.</summary>
        [CommandOption("--speed-rows <N>")]
        [Description("Texts timed through EncodeText for both models, same run (default 256; 0 skips timing).")]
        public int SpeedRows { get; init; } = 256;

        /// <summary>Timed rounds.</summary>
        [CommandOption("--speed-rounds <N>")]
        public int SpeedRounds { get; init; } = 2;

        /// <summary>ONNX Runtime threads.</summary>
        [CommandOption("--threads <N>")]
        public int? Threads { get; init; }

        /// <summary>JSON report.</summary>
        [CommandOption("--json <FILE>")]
        public string? Json { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate() => Model is not null ? ValidateClassifier() : ValidateEncoder();

        private ValidationResult ValidateClassifier() =>
            string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out is required.")
            : FineTunedTaskError() is { } taskError ? ValidationResult.Error(taskError)
            : MaxTokens is not null ? ValidationResult.Error("--max-tokens applies to --encoder; a fine-tuned --model trains and serves at the token limit it was fine-tuned with.")
            : PruneHeads is null && KeepHeads is null && TokenKeep is null && Layers is null && StudentLayers is null && !Int8
                ? ValidationResult.Error("--model needs --prune-heads F, --keep-heads N, --token-keep S, --layers N, --student-layers I,J,... or --int8.")
            : TokenKeep is not null && TokenKeepSchedules.Length == 0 ? ValidationResult.Error("--token-keep names no schedule.")
            : PruneHeads is { } f && !(f > 0 && f < 1) ? ValidationResult.Error($"--prune-heads must be a fraction in (0, 1), exclusive; got {f}.")
            : KeepHeads is < 1 ? ValidationResult.Error($"--keep-heads must be at least 1; got {KeepHeads}.")
            : DistillText.Length > 0 ? ValidationResult.Error("--distill-text is the text of an --encoder's student; with --model the student learns from --task's train.tsv (--max-train-rows N).")
            : Layers is not null && StudentLayers is not null ? ValidationResult.Error($"Give --layers N or --student-layers I,J,..., not both; got --layers {Layers} and --student-layers {StudentLayers}.")
            : Layers is < 1 ? ValidationResult.Error($"--layers must be at least 1; got {Layers}.")
            : StudentLayers is not null && ParseStudentLayers(StudentLayers, out _) is { } layersError ? ValidationResult.Error(layersError)
            : !(HiddenWeight >= 0) || double.IsInfinity(HiddenWeight) ? ValidationResult.Error($"--hidden-weight must be a non-negative number; got {HiddenWeight}.")
            : DistillWeight is { } w && !(w >= 0 && w <= 1) ? ValidationResult.Error($"--distill-weight must be from 0 to 1; got {w}.")
            : !(Temperature > 0) || double.IsInfinity(Temperature) ? ValidationResult.Error($"--temperature must be a positive number; got {Temperature}.")
            : LengthBuckets < 0 ? ValidationResult.Error($"--length-buckets must not be negative; got {LengthBuckets}.")
            : MaxTrainRows is < 1 ? ValidationResult.Error($"--max-train-rows must be at least 1; got {MaxTrainRows}.")
            : ImportanceBatches < 1 ? ValidationResult.Error($"--importance-batches must be at least 1; got {ImportanceBatches}.")
            : SpeedRounds < 1 ? ValidationResult.Error($"--speed-rounds must be at least 1; got {SpeedRounds}.")
            : !(RoutingEpochs > 0) ? ValidationResult.Error($"--routing-epochs must be positive; got {RoutingEpochs}.")
            : ParseMethods(Method, out _) is { } error ? ValidationResult.Error(error)
            : ValidationResult.Success();

        /// <summary>The methods of --method, or an error naming the unknown one.</summary>
        internal static string? ParseMethods(string text, out HeadPruningMethod[] methods)
        {
            var list = new List<HeadPruningMethod>();
            foreach (string name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!Enum.TryParse(name, ignoreCase: true, out HeadPruningMethod method) || int.TryParse(name, out _))
                {
                    methods = [];
                    return $"--method: unknown head pruning method '{name}'; expected {string.Join(" or ", Enum.GetNames<HeadPruningMethod>().Select(n => n.ToLowerInvariant()))}.";
                }
                list.Add(method);
            }
            methods = [.. list.Distinct()];
            return methods.Length == 0 ? "--method names no method." : null;
        }

        /// <summary>The layers of --student-layers, or an error naming the bad entry.</summary>
        internal static string? ParseStudentLayers(string text, out int[] layers)
        {
            var list = new List<int>();
            foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int layer))
                {
                    layers = [];
                    return $"--student-layers: '{part}' is not a layer number (0-based, e.g. 0,2,4).";
                }
                list.Add(layer);
            }
            layers = [.. list];
            return layers.Length == 0 ? "--student-layers names no layer." : null;
        }

        /// <summary>The schedules of --token-keep (empty without it).</summary>
        internal string[] TokenKeepSchedules => TokenKeep?.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];

        private ValidationResult ValidateEncoder() =>
            string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out is required.")
            : TokenKeep is not null ? ValidationResult.Error("--token-keep prunes the tokens of a fine-tuned classifier or regressor: give --model MODEL.zip --task NAME --data DIR.")
            : !Int8 && Layers is null && StudentLayers is null && PruneHeads is null ? ValidationResult.Error("Nothing to do: give --int8, --layers N, --student-layers I,J,..., --prune-heads F, or a combination.")
            : Layers is < 1 ? ValidationResult.Error($"--layers must be at least 1; got {Layers}.")
            : StudentLayers is not null && ParseStudentLayers(StudentLayers, out _) is { } layersError ? ValidationResult.Error(layersError)
            : !(HiddenWeight >= 0) || double.IsInfinity(HiddenWeight) ? ValidationResult.Error($"--hidden-weight must be a non-negative number; got {HiddenWeight}.")
            : !(AttentionWeight >= 0) || double.IsInfinity(AttentionWeight) ? ValidationResult.Error($"--attention-weight must be a non-negative number; got {AttentionWeight}.")
            : LengthBuckets < 0 ? ValidationResult.Error($"--length-buckets must not be negative; got {LengthBuckets}.")
            : StudentLayers is not null && DistillText.Length == 0 ? ValidationResult.Error("--student-layers needs --distill-text FILE (unlabelled text the student learns from).")
            : PruneHeads is { } f && !(f > 0 && f < 1) ? ValidationResult.Error($"--prune-heads must be a fraction in (0, 1), exclusive; got {f}.")
            : ImportanceBatches < 1 ? ValidationResult.Error($"--importance-batches must be at least 1; got {ImportanceBatches}.")
            : Layers is not null && DistillText.Length == 0 ? ValidationResult.Error("--layers needs --distill-text FILE (unlabelled text the student learns from).")
            : PruneHeads is not null && DistillText.Length == 0 ? ValidationResult.Error("--prune-heads needs --distill-text FILE (unlabelled text for head importance and recovery).")
            : ParseMethods(Method, out HeadPruningMethod[] methods) is { } methodError ? ValidationResult.Error(methodError)
            : methods.Length > 1 ? ValidationResult.Error($"--method: an --encoder is pruned by one method; got {Method}.")
            : !(RoutingEpochs > 0) || double.IsInfinity(RoutingEpochs) ? ValidationResult.Error($"--routing-epochs must be positive; got {RoutingEpochs}.")
            : SpeedRows < 0 ? ValidationResult.Error($"--speed-rows must not be negative; got {SpeedRows}.")
            : SpeedRounds < 1 ? ValidationResult.Error($"--speed-rounds must be at least 1; got {SpeedRounds}.")
            : Threads is < 1 ? ValidationResult.Error($"--threads must be at least 1; got {Threads}.")
            : ValidationResult.Success();
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        if (settings.Model is not null)
            return ExecuteClassifier(settings, cancellationToken);
        ModelArgument.RequireFolderIfPath(settings.Encoder, "--encoder");
        var spec = new EncoderCompressionSpec
        {
            Encoder = settings.Encoder, Int8 = settings.Int8, Layers = settings.Layers, HiddenStateWeight = settings.HiddenWeight, AttentionWeight = settings.AttentionWeight, LengthBucketBatches = settings.LengthBuckets,
            StudentLayers = settings.StudentLayers is null ? null : Settings.ParseStudentLayers(settings.StudentLayers, out int[] chosen) is null ? chosen : null,
            PruneHeads = settings.PruneHeads, ImportanceBatches = settings.ImportanceBatches, RoutingEpochs = settings.RoutingEpochs,
            HeadPruningMethod = Settings.ParseMethods(settings.Method, out HeadPruningMethod[] methods) is null ? methods[0] : HeadPruningMethod.Importance,
            DistillTextPaths = settings.DistillText,
            DistillColumns = settings.DistillColumns.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            MaxDistillTexts = settings.MaxDistillTexts, Epochs = settings.Epochs, BatchSize = settings.BatchSize, LearningRate = settings.LearningRate ?? 1e-4,
            MaxTokens = settings.MaxTokens ?? 128, Seed = settings.Seed, CheckpointDirectory = settings.CheckpointDirectory, OutputDirectory = settings.Out,
            StsPath = settings.EvalSts, BeirPath = settings.EvalBeir, EvaluateOriginal = !settings.NoOriginalEval,
            SpeedRows = settings.SpeedRows, SpeedRounds = settings.SpeedRounds, Threads = settings.Threads, Plot = !settings.NoPlot,
        };
        EncoderCompressionReport report = ConsoleProgress.Training(settings.Layers is null && settings.StudentLayers is null ? "recovering" : "distilling", progress =>
            EncoderCompression.Run(spec, progress, line => AnsiConsole.MarkupLine(Markup.Escape(line)), cancellationToken));

        var table = new Table().AddColumn("").AddColumn("original").AddColumn("compressed");
        table.AddRow("model", Markup.Escape(report.Original.Model), Markup.Escape(report.Compressed.Model));
        table.AddRow("size (MiB)", $"{report.Original.SizeBytes / 1048576.0:F1}", $"{report.Compressed.SizeBytes / 1048576.0:F1}");
        table.AddRow("sentences/s", $"{report.Original.SentencesPerSecond}", $"{report.Compressed.SentencesPerSecond}");
        table.AddRow("sentences per CPU-second", $"{report.Original.SentencesPerCpuSecond}", $"{report.Compressed.SentencesPerCpuSecond}");
        table.AddRow("STS cosine Spearman", $"{report.Original.StsSpearman}", $"{report.Compressed.StsSpearman}");
        table.AddRow("BEIR NDCG@10", $"{report.Original.BeirNdcgAt10}", $"{report.Compressed.BeirNdcgAt10}");
        AnsiConsole.Write(table);
        if (report.Speedup is { } speedup)
            AnsiConsole.MarkupLine($"[bold]speed-up {speedup:F2}x[/] (per CPU-second {report.SpeedupCpu:F2}x) on {report.SpeedRows} texts");
        AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(report.OutputDirectory)}[/]");
        if (report.PlotPath is not null)
            AnsiConsole.MarkupLine($"wrote [blue]{Markup.Escape(report.PlotPath)}[/]");
        if (settings.Json is not null)
        {
            AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            AnsiConsole.MarkupLine($"wrote {Markup.Escape(Path.GetFullPath(settings.Json))}");
        }
        return 0;
    }

    private static int ExecuteClassifier(Settings settings, CancellationToken cancellationToken)
    {
        Settings.ParseMethods(settings.Method, out HeadPruningMethod[] methods);
        if (settings.PruneHeads is null && settings.KeepHeads is null)
            methods = []; // token pruning only
        var spec = new ClassifierCompressionSpec
        {
            ModelPath = settings.Model!, Task = settings.Task!, DataFolder = settings.Data!, Methods = methods, TokenKeep = settings.TokenKeepSchedules,
            PruneFraction = settings.PruneHeads ?? 0.4, KeepHeads = settings.KeepHeads, ImportanceBatches = settings.ImportanceBatches,
            RoutingEpochs = settings.RoutingEpochs, DistillationWeight = settings.DistillWeight ?? 0,
            StudentLayerCount = settings.Layers,
            StudentLayers = settings.StudentLayers is null ? null : Settings.ParseStudentLayers(settings.StudentLayers, out int[] chosen) is null ? chosen : null,
            StudentDistillationWeight = settings.DistillWeight ?? 1, Temperature = settings.Temperature, HiddenStateWeight = settings.HiddenWeight,
            DistillationLearningRate = settings.LearningRate ?? 1e-4, LengthBucketBatches = settings.LengthBuckets, Int8 = settings.Int8,
            MaxTrainRows = settings.MaxTrainRows, Epochs = settings.Epochs, BatchSize = settings.BatchSize,
            LearningRate = settings.LearningRate ?? 5e-5, Seed = settings.Seed,
            CheckpointDirectory = settings.CheckpointDirectory, OutputDirectory = settings.Out, SpeedRounds = settings.SpeedRounds, Plot = !settings.NoPlot,
        };
        ClassifierCompressionReport report = ConsoleProgress.Training("training", progress =>
            ClassifierCompression.Run(spec, progress, line => AnsiConsole.MarkupLine(Markup.Escape(line)), cancellationToken));

        var table = new Table().Title($"{report.Task} dev ({report.DevRows} rows; compressed on {report.TrainRows} training rows)")
            .AddColumn("variant").AddColumn("layers").AddColumn("heads").AddColumn("dev").AddColumn("retained").AddColumn("rows/s").AddColumn("speed-up").AddColumn("per CPU-s").AddColumn("MiB").AddColumn("training s");
        foreach (ClassifierVariantFigures v in report.Variants.Prepend(report.Original))
            table.AddRow(Markup.Escape(v.Variant), $"{v.Layers}", $"{v.Heads}", Markup.Escape(string.Join(", ", v.Dev.Select(m => $"{m.Key} {m.Value:F2}"))), $"{100 * v.DevRetained:F1}%",
                $"{v.RowsPerSecond}", $"{v.Speedup:F2}x", $"{v.SpeedupCpu:F2}x", $"{v.SizeBytes / 1048576.0:F1}", $"{v.PruningSeconds}");
        AnsiConsole.Write(table);
        foreach (ClassifierVariantFigures v in report.Variants)
            AnsiConsole.MarkupLine($"{Markup.Escape(v.Pruning ?? "")} -> [blue]{Markup.Escape(v.ModelPath ?? "")}[/]");
        AnsiConsole.MarkupLine($"peak working set {report.PeakWorkingSetMiB} MiB");
        if (report.PlotPath is not null)
            AnsiConsole.MarkupLine($"wrote [blue]{Markup.Escape(report.PlotPath)}[/]");
        if (settings.Json is not null)
        {
            ResultJson.Write(settings.Json, report);
            AnsiConsole.MarkupLine($"wrote {Markup.Escape(Path.GetFullPath(settings.Json))}");
        }
        return 0;
    }
}
