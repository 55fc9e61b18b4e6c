using System.ComponentModel;
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
/// <c>mlnetext train context-compressor</c>: trains an ARC-style context compressor on a BEIR folder's qrels with the
/// late-interaction contrastive loss (<see cref="ContextCompressorRun"/>) and writes the compressor folder that
/// <c>eval beir --multi-vector --compressor</c> and <c>CompressContext</c> serve.
/// </summary>
public sealed class TrainContextCompressorCommand : Command<TrainContextCompressorCommand.Settings>
{
    /// <summary>Options of <c>train context-compressor</c>.</summary>
    public sealed class Settings : TrainingLoopSettings
    {
        /// <summary>BEIR folder.</summary>
        [CommandOption("--data <DIR>")]
        [Description("BEIR folder whose --split qrels give the (query, relevant document) training pairs.")]
        public string Data { get; init; } = "";

        /// <summary>Qrels split.</summary>
        [CommandOption("--split <NAME>")]
        public string Split { get; init; } = "train";

        /// <summary>Row cap.</summary>
        [CommandOption("--max-rows <N>")]
        public int? MaxRows { get; init; }


        /// <summary>Word pieces per document vector.</summary>
        [CommandOption("--ratio <X>")]
        [Description("Word pieces per document vector while training: 1, 2, 4 or 8 (default 4).")]
        public int Ratio { get; init; } = 4;

        /// <summary>Projector width.</summary>
        [CommandOption("--dimension <N>")]
        [Description("Floats per compressed vector (default: the encoder's hidden size).")]
        public int? Dimension { get; init; }





        /// <summary>Cut long documents.</summary>
        [CommandOption("--truncate")]
        [Description("Train on the first --max-tokens word pieces of longer documents (without it they are an error).")]
        public bool Truncate { get; init; }


        /// <summary>Output folder.</summary>
        [CommandOption("--out <DIR>")]
        public string? Out { get; init; }



        /// <inheritdoc/>
        protected override double DefaultLearningRate => 5e-5;

        /// <inheritdoc/>
        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Data) ? ValidationResult.Error("--data is required.")
            : !ContextPooling.Ratios.Contains(Ratio) ? ValidationResult.Error($"--ratio must be 1, 2, 4 or 8, got {Ratio}.")
            : ValidateTrainingLoop();
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        var spec = new ContextCompressorRunSpec
        {
            DataPath = settings.Data, Split = settings.Split, MaxRows = settings.MaxRows, Encoder = settings.EncoderName, Ratio = settings.Ratio,
            Dimension = settings.Dimension, BatchSize = settings.BatchSize, Epochs = settings.Epochs, MaxSteps = settings.MaxSteps,
            LearningRate = settings.PeakLearningRate, WarmupFraction = settings.Warmup, LengthBucketBatches = settings.LengthBuckets,
            MaxTokens = settings.InputTokens, TruncateLongText = settings.Truncate, Seed = settings.Seed, OutputDirectory = settings.Out,
            CheckpointDirectory = settings.CheckpointDirectory,
        };
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Step % 10 == 0 || p.Step == p.TotalSteps)
                AnsiConsole.MarkupLine($"[grey]step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} ({p.RowsPerSecond:F1} pairs/s, {ConsoleProgress.Eta(p)})[/]");
        });
        ContextCompressorRunResult result = ContextCompressorRun.Execute(spec, progress, cancellationToken);
        var training = result.Training;
        AnsiConsole.MarkupLine($"Trained a context compressor (x{settings.Ratio}, {result.Dimension} floats per vector) from {Markup.Escape(result.Encoder)} on " +
            $"{result.Pairs} pairs: {training.Steps} steps, {training.TrainingSeconds:F0} s, {training.RowsPerSecond:F1} pairs/s, mean loss {training.MeanLoss:F4}");
        AnsiConsole.MarkupLine($"[bold]Loss of the first batch: {result.InitialLoss:F4} before, {result.FinalLoss:F4} after[/]");
        if (settings.Out is not null)
            AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(settings.Out)}[/] (model.onnx, vocab.txt, config.json, compressor.onnx, compressor.json); " +
                $"score it with: mlnetext eval beir --data DIR --multi-vector --compressor {Markup.Escape(settings.Out)} --ratio {settings.Ratio}");
        if (settings.Json is not null)
        {
            AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(new
            {
                encoder = result.Encoder, pairs = result.Pairs, ratio = settings.Ratio, dimension = result.Dimension,
                initial_loss = result.InitialLoss, final_loss = result.FinalLoss, steps = training.Steps, seconds = training.TrainingSeconds,
                rows_per_second = training.RowsPerSecond, mean_loss = training.MeanLoss, settings = spec,
            }, new JsonSerializerOptions { WriteIndented = true }));
        }
        return 0;
    }
}
