using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Losses;
using MLNetExt.Transforms;
using MLNetExt.Transforms.IO;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Contrastive;

/// <summary>
/// <c>mlnetext train embed</c>: trains a sentence encoder with a contrastive, scored-pair or self-supervised loss
/// (<see cref="SentenceEncoderRun"/>), optionally scoring an STS file before and after, and writes the trained encoder
/// as a Hugging Face-layout folder.
/// </summary>
public sealed class TrainEmbedCommand : Command<TrainEmbedCommand.Settings>
{
    /// <summary>Options of <c>train embed</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The loss.</summary>
        [CommandOption("--loss <NAME>")]
        [Description("mnrl, mnrl-symmetric, cached-mnrl, cosent, cosine, mirror-bert or simcse.")]
        public string Loss { get; init; } = "mnrl";

        /// <summary>Training file.</summary>
        [CommandOption("--data <FILE>")]
        [Description("Tab-separated file with a header naming --columns (and --score-column); for one text column also a .txt file, one text per line.")]
        public string Data { get; init; } = "";

        /// <summary>Text columns.</summary>
        [CommandOption("--columns <NAMES>")]
        [Description("Comma-separated header names of the text columns in the loss's order (anchor,positive[,negative] / first,second / text). Default sentence1,sentence2.")]
        public string Columns { get; init; } = "sentence1,sentence2";

        /// <summary>Score column.</summary>
        [CommandOption("--score-column <NAME>")]
        public string ScoreColumn { get; init; } = "score";

        /// <summary>Declared score range, MIN:MAX.</summary>
        [CommandOption("--score-range <MIN:MAX>")]
        [Description("Declared score range, e.g. 0:5 for STS-B: scores outside it are an error; the cosine loss trains on them mapped onto [0, 1].")]
        public string? ScoreRange { get; init; }

        /// <summary>Row cap.</summary>
        [CommandOption("--max-rows <N>")]
        public int? MaxRows { get; init; }

        /// <summary>STS file scored before and after.</summary>
        [CommandOption("--eval-sts <FILE>")]
        public string? EvalSts { get; init; }

        /// <summary>Encoder to start from.</summary>
        [CommandOption("--encoder <NAME|DIR>")]
        public string Encoder { get; init; } = "all-MiniLM-L6-v2";

        /// <summary>Pooling: mean or cls.</summary>
        [CommandOption("--pooling <MODE>")]
        [Description("mean or cls (default: the encoder's own).")]
        public string? Pooling { get; init; }

        /// <summary>Rows per step.</summary>
        [CommandOption("--batch-size <N>")]
        public int BatchSize { get; init; } = 32;

        /// <summary>Mini-batch of cached-mnrl.</summary>
        [CommandOption("--mini-batch-size <N>")]
        public int MiniBatchSize { get; init; } = 32;

        /// <summary>Passes over the rows.</summary>
        [CommandOption("--epochs <N>")]
        public int Epochs { get; init; } = 1;

        /// <summary>Peak learning rate.</summary>
        [CommandOption("--learning-rate <LR>")]
        public double LearningRate { get; init; } = 2e-5;

        /// <summary>Longest input in tokens.</summary>
        [CommandOption("--max-tokens <N>")]
        public int MaxTokens { get; init; } = 128;

        /// <summary>Seed.</summary>
        [CommandOption("--seed <N>")]
        public int Seed { get; init; } = 42;

        /// <summary>Output folder.</summary>
        [CommandOption("--out <DIR>")]
        public string? Out { get; init; }

        /// <summary>Checkpoint folder.</summary>
        [CommandOption("--checkpoint-dir <DIR>")]
        public string? CheckpointDirectory { get; init; }

        /// <summary>JSON result file.</summary>
        [CommandOption("--json <FILE>")]
        public string? Json { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Data) ? ValidationResult.Error("--data is required.")
            : !SentenceLosses.Names.Contains(Loss) ? ValidationResult.Error($"--loss must be one of {string.Join(", ", SentenceLosses.Names)}, got '{Loss}'.")
            : Pooling is not (null or "mean" or "cls") ? ValidationResult.Error($"--pooling must be mean or cls, got '{Pooling}'.")
            : ScoreRange is not null && ParseRange(ScoreRange) is null ? ValidationResult.Error($"--score-range must be MIN:MAX, got '{ScoreRange}'.")
            : ValidationResult.Success();

        internal static (float Min, float Max)? ParseRange(string text)
        {
            string[] parts = text.Split(':');
            return parts.Length == 2 && float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out float min)
                && float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out float max) ? (min, max) : null;
        }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        (float Min, float Max)? range = settings.ScoreRange is null ? null : Settings.ParseRange(settings.ScoreRange);
        var spec = new SentenceEncoderRunSpec
        {
            Loss = settings.Loss, DataPath = settings.Data, TextColumns = settings.Columns.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            ScoreColumn = settings.ScoreColumn, ScoreMinimum = range?.Min, ScoreMaximum = range?.Max, MaxRows = settings.MaxRows,
            EvalStsPath = settings.EvalSts, Encoder = settings.Encoder,
            Pooling = settings.Pooling switch { "mean" => EncoderPooling.Mean, "cls" => EncoderPooling.Cls, _ => null },
            BatchSize = settings.BatchSize, MiniBatchSize = settings.MiniBatchSize, Epochs = settings.Epochs, LearningRate = settings.LearningRate,
            MaxTokens = settings.MaxTokens, Seed = settings.Seed, OutputDirectory = settings.Out, CheckpointDirectory = settings.CheckpointDirectory,
        };
        var progress = new Progress(p =>
        {
            if (p.Step % 25 == 0 || p.Step == p.TotalSteps)
                AnsiConsole.MarkupLine($"[grey]step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} ({p.RowsPerSecond:F1} rows/s)[/]");
        });
        SentenceEncoderRunResult result = SentenceEncoderRun.Execute(spec, progress, cancellationToken);

        AnsiConsole.MarkupLine($"Trained {Markup.Escape(result.Encoder)} with {result.Loss} on {result.TrainingRows} rows: {result.Training.Steps} steps, " +
            $"{result.Training.TrainingSeconds:F0} s, {result.Training.RowsPerSecond:F1} rows/s, mean loss {result.Training.MeanLoss:F4}");
        if (result.StsBefore is { } before && result.StsAfter is { } after)
            AnsiConsole.MarkupLine($"[bold]STS cosine Spearman: before {100 * before:F2}, after {100 * after:F2}[/]");
        if (settings.Out is not null)
            AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(settings.Out)}[/] (model.onnx, vocab.txt, config.json)");
        if (settings.Json is not null)
        {
            AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(new
            {
                encoder = result.Encoder, loss = result.Loss, rows = result.TrainingRows, sts_before = result.StsBefore, sts_after = result.StsAfter,
                steps = result.Training.Steps, seconds = result.Training.TrainingSeconds, rows_per_second = result.Training.RowsPerSecond,
                mean_loss = result.Training.MeanLoss, settings = spec,
            }, new JsonSerializerOptions { WriteIndented = true }));
        }
        return 0;
    }

    private sealed class Progress(Action<Trainers.Training.TrainingProgress> report) : IProgress<Trainers.Training.TrainingProgress>
    {
        public void Report(Trainers.Training.TrainingProgress value) => report(value);
    }
}
