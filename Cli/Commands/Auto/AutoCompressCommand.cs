using System.ComponentModel;
using System.Globalization;
using MLNetExt.Cli.Infrastructure;
using MLNetExt.Estimators.Compression;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Auto;

/// <summary>
/// <c>mlnetext auto compress</c>: the best-quality compressed model whose measured speed is at least <c>--min-speedup</c>
/// times the original's (<see cref="CompressionSweep"/>), within a time budget; prints the trials table and the choice.
/// </summary>
public sealed class AutoCompressCommand : Command<AutoCompressCommand.Settings>
{
    /// <summary>Options of <c>auto compress</c>.</summary>
    public sealed class Settings : FineTunedTaskSettings
    {
        /// <summary>Encoder to compress.</summary>
        [CommandOption("--encoder <NAME|DIR>")]
        [Description("Sentence encoder to compress: pretrained name (minilm, arctic-xs) or Hugging Face-layout folder (default minilm unless --model).")]
        public string? Encoder { get; init; }

        /// <summary>The speed constraint.</summary>
        [CommandOption("--min-speedup <X>")]
        [Description("Required: the chosen model runs at least X times the original's speed, measured against it in each trial (X > 1).")]
        public double? MinSpeedup { get; init; }

        /// <summary>Which speed ratio the constraint reads.</summary>
        [CommandOption("--speed-measure <cpu|wall>")]
        [Description("cpu (default): texts per CPU-second, steady on a shared machine; wall: texts per second.")]
        public string SpeedMeasure { get; init; } = "cpu";

        /// <summary>Time budget in seconds.</summary>
        [CommandOption("--time <SECONDS>")]
        [Description("Time budget of the sweep in seconds (default 900); the running trial is cut at the end unless it is the first.")]
        public double TimeSeconds { get; init; } = 900;

        /// <summary>Most trials.</summary>
        [CommandOption("--max-trials <N>")]
        [Description("Most trials in all, resumed ones included (default: every configuration once).")]
        public int? MaxTrials { get; init; }

        /// <summary>Tuner name.</summary>
        [CommandOption("--tuner <NAME>")]
        [Description("grid (default: every configuration once, seeded random order), random, cfo, tpe or eci.")]
        public string Tuner { get; init; } = "grid";

        /// <summary>Seed.</summary>
        [CommandOption("--seed <N>")]
        public int Seed { get; init; } = 42;

        /// <summary>Output folder.</summary>
        [CommandOption("--out <DIR>")]
        [Description("Required: trials/, the checkpoint sweep/ (rerun to resume), report.md, report.json, speed_quality.png and the chosen model (model/ or model.zip).")]
        public string Out { get; init; } = "";

        /// <summary>Layers kept.</summary>
        [CommandOption("--layers <LIST>")]
        [Description("Encoders: comma-separated layer counts kept (fewer than the original's: a distilled student); default all, two thirds and half.")]
        public string? Layers { get; init; }

        /// <summary>Shares of heads kept.</summary>
        [CommandOption("--heads <LIST>")]
        [Description("Comma-separated shares of attention heads kept, each above 0 and at most 1 (below 1: importance pruning + recovery); default 1,0.75.")]
        public string Heads { get; init; } = "1,0.75";

        /// <summary>Only int8 trials.</summary>
        [CommandOption("--int8-only")]
        [Description("Search int8 configurations only (default: fp32 and int8).")]
        public bool Int8Only { get; init; }

        /// <summary>Token keep schedules.</summary>
        [CommandOption("--token-keep <LIST>")]
        [Description("With --model: semicolon-separated token keep schedules, each a rate (0.8) or one fraction per layer; 1 prunes none (default 1;0.9;0.8).")]
        public string? TokenKeep { get; init; }

        /// <summary>STS file.</summary>
        [CommandOption("--eval-sts <FILE>")]
        [Description("Encoders: the STS file whose cosine Spearman is the quality (e.g. ../shared/data/stsb/dev.tsv); its sentences are also timed.")]
        public string? EvalSts { get; init; }

        /// <summary>Distillation text.</summary>
        [CommandOption("--distill-text <FILE>")]
        [Description("Encoders: unlabelled text for distillation and recovery (repeatable): .txt, or tab-separated with a header naming --distill-columns.")]
        public string[] DistillText { get; init; } = [];

        /// <summary>Distillation columns.</summary>
        [CommandOption("--distill-columns <NAMES>")]
        public string DistillColumns { get; init; } = "sentence1,sentence2";

        /// <summary>Cap on distillation texts.</summary>
        [CommandOption("--max-distill-texts <N>")]
        public int? MaxDistillTexts { get; init; }

        /// <summary>Longest input while distilling.</summary>
        [CommandOption("--max-tokens <N>")]
        public int MaxTokens { get; init; } = 128;

        /// <summary>Training row cap of a classifier's head pruning.</summary>
        [CommandOption("--max-train-rows <N>")]
        public int? MaxTrainRows { get; init; }

        /// <summary>Epochs of distillation or recovery.</summary>
        [CommandOption("--epochs <N>")]
        public int Epochs { get; init; } = 1;

        /// <summary>Batch size.</summary>
        [CommandOption("--batch-size <N>")]
        public int BatchSize { get; init; } = 32;

        /// <summary>Learning rate.</summary>
        [CommandOption("--learning-rate <LR>")]
        [Description("Of distillation (default 1e-4) or a classifier's recovery (default 5e-5).")]
        public double? LearningRate { get; init; }

        /// <summary>Importance batches.</summary>
        [CommandOption("--importance-batches <N>")]
        public int ImportanceBatches { get; init; } = 16;

        /// <summary>Texts timed.</summary>
        [CommandOption("--speed-rows <N>")]
        [Description("Encoders: texts timed per trial (default 256).")]
        public int SpeedRows { get; init; } = 256;

        /// <summary>Timed rounds.</summary>
        [CommandOption("--speed-rounds <N>")]
        public int SpeedRounds { get; init; } = 2;

        /// <summary>ONNX Runtime threads.</summary>
        [CommandOption("--threads <N>")]
        public int? Threads { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate() =>
            MinSpeedup is null ? ValidationResult.Error("--min-speedup X is required (the least speed-up over the original the chosen model must reach).")
            : string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out is required.")
            : Model is not null && Encoder is not null ? ValidationResult.Error("Give --encoder or --model, not both.")
            : FineTunedTaskError() is { } taskError ? ValidationResult.Error(taskError)
            : !Enum.TryParse<CompressionSpeedMeasure>(SpeedMeasure, ignoreCase: true, out _) || int.TryParse(SpeedMeasure, out _)
                ? ValidationResult.Error($"--speed-measure must be cpu or wall; got '{SpeedMeasure}'.")
            : ValidationResult.Success();
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFolder(settings.Out, "--out");
        CompressionSweepOptions options = Options(settings);
        options.Validate();
        return CtrlC.Cancels(cancellationToken, token =>
        {
            CompressionSweepResult result = ConsoleProgress.Training("compressing", progress =>
                CompressionSweep.Run(options, new CompressionTrialLines(), line => AnsiConsole.MarkupLine(Markup.Escape(line)), progress, token));
            return Print(result);
        });
    }

    private static CompressionSweepOptions Options(Settings s) => new()
    {
        Encoder = s.Model is null ? s.Encoder ?? "minilm" : null, ModelPath = s.Model, Task = s.Task, DataFolder = s.Data,
        MinSpeedup = s.MinSpeedup!.Value, SpeedMeasure = Enum.Parse<CompressionSpeedMeasure>(s.SpeedMeasure, ignoreCase: true),
        TimeSeconds = s.TimeSeconds, MaxTrials = s.MaxTrials, Tuner = s.Tuner, Seed = s.Seed, OutputFolder = s.Out,
        Layers = s.Layers is null ? null : List(s.Layers, ',', "--layers", v => int.Parse(v, CultureInfo.InvariantCulture)),
        HeadsKept = List(s.Heads, ',', "--heads", v => double.Parse(v, CultureInfo.InvariantCulture)),
        Int8Only = s.Int8Only,
        TokenKeep = s.TokenKeep is null ? null : List(s.TokenKeep, ';', "--token-keep", v => v),
        StsPath = s.EvalSts, DistillTextPaths = s.DistillText,
        DistillColumns = s.DistillColumns.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        MaxDistillTexts = s.MaxDistillTexts, MaxTokens = s.MaxTokens, MaxTrainRows = s.MaxTrainRows, Epochs = s.Epochs, BatchSize = s.BatchSize,
        LearningRate = s.LearningRate, ImportanceBatches = s.ImportanceBatches, SpeedRows = s.SpeedRows, SpeedRounds = s.SpeedRounds, Threads = s.Threads,
    };

    private static T[] List<T>(string text, char separator, string option, Func<string, T> parse) =>
        text.Split(separator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(v =>
        {
            try
            {
                return parse(v);
            }
            catch (FormatException)
            {
                throw new UsageException($"{option}: '{v}' is not a {(typeof(T) == typeof(int) ? "whole number" : "number")}.");
            }
        }).ToArray();

    private static int Print(CompressionSweepResult result)
    {
        var table = new Table().Title(Markup.Escape($"{result.QualityMeasure}; original {Format(result.OriginalQuality)}"))
            .AddColumn("trial").AddColumn("configuration").AddColumn("speed-up").AddColumn("per CPU-s").AddColumn("quality").AddColumn("feasible").AddColumn("MiB").AddColumn("s");
        foreach (CompressionTrial t in result.Trials)
            table.AddRow($"{t.TrialId}{(t.TrialId == result.Chosen?.TrialId ? " *" : "")}", Markup.Escape(t.Description), Format(t.Speedup, "x"), Format(t.SpeedupCpu, "x"),
                Format(t.Quality), t.Error is null ? t.Feasible ? "yes" : "no" : "[red]failed[/]",
                t.SizeBytes is long b ? (b / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) : "-", t.Seconds.ToString("0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{result.Trials.Count} trials, {result.Trials.Where(t => t.Error is null).Select(t => t.Configuration).Distinct().Count()} of {result.SearchSpaceSize} configurations measured ({result.StopReason}); wrote [blue]{Markup.Escape(result.ReportPath ?? "")}[/].");
        if (result.Chosen is not { } chosen)
        {
            AnsiConsole.MarkupLine($"[red]Nothing chosen:[/] {Markup.Escape(result.Message ?? "")}");
            return ErrorPolicy.Failure;
        }
        AnsiConsole.MarkupLine($"Chosen: trial {chosen.TrialId} ({Markup.Escape(chosen.Description)}), quality [green]{Format(chosen.Quality)}[/] at {Format(chosen.ConstrainedSpeedup, "x")} -> [blue]{Markup.Escape(result.ModelPath ?? "")}[/]");
        return ErrorPolicy.Success;
    }

    private static string Format(double? value, string suffix = "") =>
        value is double v ? v.ToString("0.00", CultureInfo.InvariantCulture) + suffix : "-";
}
