using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using MLNetExt.Cli.Infrastructure;
using MLNetExt.Trainers.ContextCompression;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.IO;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Contrastive;

/// <summary>
/// <c>mlnetext train context-reconstruction</c>: ARC-style reconstruction training of a context compressor with a small
/// decoder (<see cref="ContextReconstructionRun"/>), once per ratio; prints held-out token accuracy.
/// </summary>
public sealed class TrainContextReconstructionCommand : Command<TrainContextReconstructionCommand.Settings>
{
    /// <summary>Options of <c>train context-reconstruction</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Training file.</summary>
        [CommandOption("--train <FILE>")]
        [Description("Tab-separated training file with a header row (e.g. STS-B train.tsv).")]
        public string Train { get; init; } = "";

        /// <summary>Held-out file.</summary>
        [CommandOption("--eval <FILE>")]
        [Description("Tab-separated held-out file with the same column (e.g. STS-B dev.tsv).")]
        public string Eval { get; init; } = "";

        /// <summary>Text column.</summary>
        [CommandOption("--column <NAME>")]
        public string Column { get; init; } = "sentence1";

        /// <summary>Training row cap.</summary>
        [CommandOption("--max-rows <N>")]
        public int? MaxRows { get; init; }

        /// <summary>Held-out row cap.</summary>
        [CommandOption("--max-eval-rows <N>")]
        public int? MaxEvalRows { get; init; }

        /// <summary>Ratios.</summary>
        [CommandOption("--ratio <LIST>")]
        [Description("Word pieces per compressed vector, 1, 2, 4 or 8, comma-separated; one training run each (default 4,8).")]
        public string Ratio { get; init; } = "4,8";

        /// <summary>Encoder.</summary>
        [CommandOption("--encoder <NAME|DIR>")]
        public string Encoder { get; init; } = "all-MiniLM-L6-v2";

        /// <summary>Texts per step.</summary>
        [CommandOption("--batch-size <N>")]
        public int BatchSize { get; init; } = 32;

        /// <summary>Passes.</summary>
        [CommandOption("--epochs <N>")]
        public int Epochs { get; init; } = 1;

        /// <summary>Peak learning rate.</summary>
        [CommandOption("--learning-rate <LR>")]
        public double LearningRate { get; init; } = 5e-4;

        /// <summary>Word pieces per text (longer ones are cut).</summary>
        [CommandOption("--max-tokens <N>")]
        public int MaxTokens { get; init; } = 64;

        /// <summary>JSON result file.</summary>
        [CommandOption("--json <FILE>")]
        public string? Json { get; init; }

        internal int[]? ParsedRatios() => Ratio.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) && ContextPooling.Ratios.Contains(r) ? r : -1)
            .ToArray() is { Length: > 0 } parsed && parsed.All(r => r > 0) ? parsed : null;

        /// <inheritdoc/>
        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Train) || string.IsNullOrWhiteSpace(Eval) ? ValidationResult.Error("--train and --eval are required.")
            : ParsedRatios() is null ? ValidationResult.Error($"--ratio expects 1, 2, 4 or 8 separated by commas, got '{Ratio}'.")
            : ValidationResult.Success();
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        var spec = new ContextReconstructionRunSpec
        {
            TrainPath = settings.Train, EvalPath = settings.Eval, Column = settings.Column, MaxRows = settings.MaxRows, MaxEvalRows = settings.MaxEvalRows,
            Ratios = settings.ParsedRatios()!, Encoder = settings.Encoder, BatchSize = settings.BatchSize, Epochs = settings.Epochs,
            LearningRate = settings.LearningRate, MaxTokens = settings.MaxTokens,
        };
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Step % 20 == 0 || p.Step == p.TotalSteps)
                AnsiConsole.MarkupLine($"[grey]step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} ({p.RowsPerSecond:F1} texts/s, {ConsoleProgress.Eta(p)})[/]");
        });
        IReadOnlyList<ContextReconstructionResult> results = ContextReconstructionRun.Execute(spec, progress, cancellationToken);
        foreach (ContextReconstructionResult r in results)
            AnsiConsole.MarkupLine($"[bold]x{r.Ratio}: held-out token accuracy {100 * r.TokenAccuracy:F2}%[/] ({r.HeldOutTokens} word pieces of {r.HeldOutTexts} texts; " +
                $"trained on {r.TrainingTexts} texts, {r.Training.Steps} steps, {r.Training.TrainingSeconds:F0} s, mean loss {r.Training.MeanLoss:F4})");
        if (settings.Json is not null)
        {
            AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(results.Select(r => new
            {
                ratio = r.Ratio, token_accuracy = r.TokenAccuracy, held_out_tokens = r.HeldOutTokens, held_out_texts = r.HeldOutTexts,
                training_texts = r.TrainingTexts, steps = r.Training.Steps, seconds = r.Training.TrainingSeconds, mean_loss = r.Training.MeanLoss,
            }), new JsonSerializerOptions { WriteIndented = true }));
        }
        return 0;
    }
}
