using System.ComponentModel;
using MLNetExt.Cli.Infrastructure;
using MLNetExt.Trainers.Compression;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Train;

/// <summary>
/// <c>mlnetext train prune-tokens</c>: fine-tunes a saved GLUE classifier with latency-adjustable token pruning and/or
/// draws its speed/accuracy curve over keep schedules (<see cref="TokenPruningCompression"/>).
/// </summary>
public sealed class TrainPruneTokensCommand : Command<TrainPruneTokensCommand.Settings>
{
    /// <summary>Options of <c>train prune-tokens</c>.</summary>
    public sealed class Settings : FineTunedTaskSettings
    {
        /// <summary>Target schedule.</summary>
        [CommandOption("--token-keep <S>")]
        [Description("Fine-tune for this keep schedule: fractions of tokens per layer (1,0.9,0.8,0.7,0.6,0.5) or one rate (0.8: layer l keeps 0.8^l). Without it the model is measured as it is.")]
        public string? TokenKeep { get; init; }

        /// <summary>Curve schedules.</summary>
        [CommandOption("--curve <S;S;...>")]
        [Description("Semicolon-separated schedules measured on dev against the unpruned model (default 1;0.9;0.8;0.7;1,0.7,0.6,0.5,0.4,0.4).")]
        public string Curve { get; init; } = "1;0.9;0.8;0.7;1,0.7,0.6,0.5,0.4,0.4";

        /// <summary>Share of batches on the target.</summary>
        [CommandOption("--target-share <F>")]
        [Description("Share of training batches on the target schedule; the rest draw one between no pruning and a little past the target (default 0.5).")]
        public double TargetShare { get; init; } = 0.5;

        /// <summary>Distillation weight.</summary>
        [CommandOption("--distill-weight <W>")]
        [Description("Weight (0 to 1) of distillation from the unpruned model (KL on the class distribution) against the labels' loss (default 0.5; 0 for labels only).")]
        public double DistillationWeight { get; init; } = 0.5;

        /// <summary>Distillation temperature.</summary>
        [CommandOption("--temperature <T>")]
        [Description("Temperature softening both class distributions for distillation (default 2).")]
        public double Temperature { get; init; } = 2;

        /// <summary>Training row cap.</summary>
        [CommandOption("--max-train-rows <N>")]
        [Description("Fine-tune on a seeded sample of at most N training rows.")]
        public int? MaxTrainRows { get; init; }

        /// <summary>Epochs.</summary>
        [CommandOption("--epochs <N>")]
        public int Epochs { get; init; } = 1;

        /// <summary>Batch size.</summary>
        [CommandOption("--batch-size <N>")]
        public int BatchSize { get; init; } = 32;

        /// <summary>Learning rate.</summary>
        [CommandOption("--learning-rate <LR>")]
        public double LearningRate { get; init; } = 2e-5;

        /// <summary>Length-bucketed batches.</summary>
        [CommandOption("--length-buckets <N>")]
        [Description("Batch training rows of similar token length: sort the shuffled rows by length within windows of N batches, then shuffle the batches (0: off, the default; 50-100 removes most padding).")]
        public int LengthBuckets { get; init; }

        /// <summary>Seed.</summary>
        [CommandOption("--seed <N>")]
        public int Seed { get; init; } = 42;

        /// <summary>Checkpoint folder.</summary>
        [CommandOption("--checkpoint-dir <DIR>")]
        public string? CheckpointDirectory { get; init; }

        /// <summary>Timed rounds.</summary>
        [CommandOption("--speed-rounds <N>")]
        public int SpeedRounds { get; init; } = 2;

        /// <summary>Output folder.</summary>
        [CommandOption("--out <DIR>")]
        [Description("Folder the fine-tuned model.zip (required with --token-keep) and speed_quality.png are written to.")]
        public string? Out { get; init; }

        /// <summary>JSON report.</summary>
        [CommandOption("--json <FILE>")]
        public string? Json { get; init; }

        /// <summary>Skip the plot.</summary>
        [CommandOption("--no-plot")]
        [Description("Do not write speed_quality.png into --out.")]
        public bool NoPlot { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate() =>
            FineTunedTaskError(required: true) is { } taskError ? ValidationResult.Error(taskError)
            : TokenKeep is not null && string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--token-keep fine-tunes a model: give --out DIR.")
            : double.IsNaN(TargetShare) || TargetShare is < 0 or > 1 ? ValidationResult.Error($"--target-share must be in [0, 1]; got {TargetShare}.")
            : double.IsNaN(DistillationWeight) || DistillationWeight is < 0 or > 1 ? ValidationResult.Error($"--distill-weight must be between 0 and 1; got {DistillationWeight}.")
            : !(Temperature > 0) ? ValidationResult.Error($"--temperature must be positive; got {Temperature}.")
            : MaxTrainRows is < 1 ? ValidationResult.Error($"--max-train-rows must be at least 1; got {MaxTrainRows}.")
            : SpeedRounds < 1 ? ValidationResult.Error($"--speed-rounds must be at least 1; got {SpeedRounds}.")
            : LengthBuckets < 0 ? ValidationResult.Error($"--length-buckets must be 0 or more; got {LengthBuckets}.")
            : ValidationResult.Success();
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        var spec = new TokenPruningSpec
        {
            ModelPath = settings.Model!, Task = settings.Task!, DataFolder = settings.Data!, TargetSchedule = settings.TokenKeep,
            CurveSchedules = settings.Curve.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            TargetShare = settings.TargetShare, DistillationWeight = settings.DistillationWeight, Temperature = settings.Temperature, MaxTrainRows = settings.MaxTrainRows, Epochs = settings.Epochs, BatchSize = settings.BatchSize,
            LearningRate = settings.LearningRate, LengthBucketBatches = settings.LengthBuckets, Seed = settings.Seed, CheckpointDirectory = settings.CheckpointDirectory, OutputDirectory = settings.Out,
            SpeedRounds = settings.SpeedRounds, Plot = !settings.NoPlot,
        };
        TokenPruningReport report = ConsoleProgress.Training("fine-tuning", progress =>
            TokenPruningCompression.Run(spec, progress, line => AnsiConsole.MarkupLine(Markup.Escape(line)), cancellationToken));

        var table = new Table().Title($"{report.Task} dev ({report.DevRows} rows): unpruned {report.Metric} {report.OriginalDevPrimary:F2}, {report.OriginalRowsPerSecond} rows/s")
            .AddColumn(new TableColumn("schedule").NoWrap()).AddColumn(new TableColumn("tokens per layer").NoWrap()).AddColumn("estimated").AddColumn("measured").AddColumn("per CPU-s").AddColumn("rows/s").AddColumn(report.Metric).AddColumn("change");
        foreach (TokenPruningPoint p in report.Curve)
            table.AddRow(p.Schedule, string.Join(" ", p.TokensPerLayer.Select(t => $"{t:F1}")), $"{p.EstimatedSpeedup:F2}x", $"{p.MeasuredSpeedup:F2}x",
                $"{p.MeasuredSpeedupCpu:F2}x", $"{p.RowsPerSecond}", $"{p.DevPrimary:F2}", $"{p.DevChange:+0.00;-0.00;0.00}");
        AnsiConsole.Write(table);
        if (report.ModelPath is not null)
            AnsiConsole.MarkupLine($"fine-tuned on {report.TrainRows} rows in {report.TrainingSeconds} s (target {Markup.Escape(report.TargetSchedule ?? "")}) -> [blue]{Markup.Escape(report.ModelPath)}[/]");
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
