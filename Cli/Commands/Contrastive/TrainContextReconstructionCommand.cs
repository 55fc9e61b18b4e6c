using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using MLNetExt.Cli.Commands.Train;
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
    public sealed class Settings : TrainingLoopSettings
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

        /// <summary>Zero-vector baseline.</summary>
        [CommandOption("--baseline")]
        [Description("First train the same decoder on zero vectors instead of the compressor's: the accuracy it reaches from the preceding words alone is what the ratios must beat.")]
        public bool Baseline { get; init; }









        /// <inheritdoc/>
        protected override double DefaultLearningRate => 5e-4;

        /// <inheritdoc/>
        protected override int DefaultMaxTokens => 64;

        internal int[]? ParsedRatios() => Ratio.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) && ContextPooling.Ratios.Contains(r) ? r : -1)
            .ToArray() is { Length: > 0 } parsed && parsed.All(r => r > 0) ? parsed : null;

        /// <inheritdoc/>
        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Train) || string.IsNullOrWhiteSpace(Eval) ? ValidationResult.Error("--train and --eval are required.")
            : ParsedRatios() is null ? ValidationResult.Error($"--ratio expects 1, 2, 4 or 8 separated by commas, got '{Ratio}'.")
            : ValidateTrainingLoop();
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        var spec = new ContextReconstructionRunSpec
        {
            TrainPath = settings.Train, EvalPath = settings.Eval, Column = settings.Column, MaxRows = settings.MaxRows, MaxEvalRows = settings.MaxEvalRows,
            Ratios = settings.ParsedRatios()!, Baseline = settings.Baseline, Encoder = settings.EncoderName, BatchSize = settings.BatchSize,
            Epochs = settings.Epochs, MaxSteps = settings.MaxSteps, LearningRate = settings.PeakLearningRate, WarmupFraction = settings.Warmup,
            LengthBucketBatches = settings.LengthBuckets, MaxTokens = settings.InputTokens, Seed = settings.Seed, CheckpointDirectory = settings.CheckpointDirectory,
        };
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Step % 20 == 0 || p.Step == p.TotalSteps)
                AnsiConsole.MarkupLine($"[grey]step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} ({p.RowsPerSecond:F1} texts/s, {ConsoleProgress.Eta(p)})[/]");
        });
        IReadOnlyList<ContextReconstructionResult> results = ContextReconstructionRun.Execute(spec, progress, cancellationToken);
        foreach (ContextReconstructionResult r in results)
            AnsiConsole.MarkupLine($"[bold]{(r.ZeroVectors ? "baseline (zero vectors)" : $"x{r.Ratio}")}: held-out token accuracy {100 * r.TokenAccuracy:F2}%, " +
                $"first word piece {100 * r.FirstTokenAccuracy:F2}%[/] ({r.HeldOutTokens} word pieces of {r.HeldOutTexts} texts; " +
                $"trained on {r.TrainingTexts} texts, {r.Training.Steps} steps, {r.Training.TrainingSeconds:F0} s, mean loss {r.Training.MeanLoss:F4})");
        if (settings.Json is not null)
        {
            AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(results.Select(r => new
            {
                ratio = r.ZeroVectors ? (int?)null : r.Ratio, zero_vectors = r.ZeroVectors, token_accuracy = r.TokenAccuracy, first_token_accuracy = r.FirstTokenAccuracy, held_out_tokens = r.HeldOutTokens, held_out_texts = r.HeldOutTexts,
                training_texts = r.TrainingTexts, steps = r.Training.Steps, seconds = r.Training.TrainingSeconds, mean_loss = r.Training.MeanLoss,
            }), new JsonSerializerOptions { WriteIndented = true }));
        }
        return 0;
    }
}
