using System.ComponentModel;
using MLNetExt.Cli.Infrastructure;
using MLNetExt.Evaluation.Ner;
using MLNetExt.Trainers.TokenClassification;
using MLNetExt.Trainers.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Ner;

/// <summary>
/// <c>mlnetext train ner</c>: fine-tunes an encoder as a token classifier on a CoNLL folder (<see cref="NerBenchmark"/>) and
/// prints its dev entity F1 beside the frozen baseline's.
/// </summary>
public sealed class TrainNerCommand : Command<TrainNerCommand.Settings>
{
    /// <summary>Options of <c>train ner</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Data folder.</summary>
        [CommandOption("--data <DIR>")]
        [Description("Folder with train.conll and dev.conll (word TAB tag, blank line between sentences), e.g. ../shared/data/wnut17.")]
        public string Data { get; init; } = "";

        /// <summary>Encoder to fine-tune.</summary>
        [CommandOption("--encoder <NAME|DIR>")]
        public string Encoder { get; init; } = "all-MiniLM-L6-v2";

        /// <summary>Tagging scheme.</summary>
        [CommandOption("--scheme <NAME>")]
        [Description("bio (default) or bioes.")]
        public string Scheme { get; init; } = "bio";

        /// <summary>Passes over the training sentences.</summary>
        [CommandOption("--epochs <N>")]
        public int Epochs { get; init; } = 3;

        /// <summary>Sentences per step.</summary>
        [CommandOption("--batch-size <N>")]
        public int BatchSize { get; init; } = 16;

        /// <summary>Peak learning rate.</summary>
        [CommandOption("--learning-rate <LR>")]
        public double LearningRate { get; init; } = 5e-5;

        /// <summary>Longest sentence in word pieces.</summary>
        [CommandOption("--max-tokens <N>")]
        public int MaxTokens { get; init; } = 128;

        /// <summary>Training sentence cap.</summary>
        [CommandOption("--max-train <N>")]
        public int? MaxTrain { get; init; }

        /// <summary>Train the head only.</summary>
        [CommandOption("--freeze-encoder")]
        public bool FreezeEncoder { get; init; }

        /// <summary>Skip the frozen baseline.</summary>
        [CommandOption("--no-baseline")]
        public bool NoBaseline { get; init; }

        /// <summary>libtorch threads.</summary>
        [CommandOption("--threads <N>")]
        [Description("libtorch threads (0: one per core).")]
        public int Threads { get; init; }

        /// <summary>Seed.</summary>
        [CommandOption("--seed <N>")]
        public int Seed { get; init; } = 42;

        /// <summary>Output folder.</summary>
        [CommandOption("--out <DIR>")]
        [Description("Folder for model.zip (load with EncoderFineTuningTransformer.Load; score with eval ner) and dev.predictions.conll.")]
        public string? Out { get; init; }

        /// <summary>JSON result.</summary>
        [CommandOption("--json <FILE>")]
        public string? Json { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Data) ? ValidationResult.Error("--data is required.")
            : Scheme is not ("bio" or "bioes") ? ValidationResult.Error($"--scheme must be bio or bioes, got '{Scheme}'.")
            : ValidationResult.Success();
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        OutputPaths.RequireWritableFolder(settings.Out, "--out");
        var options = new NerBenchmarkOptions
        {
            DataDirectory = settings.Data, Encoder = ModelArgument.Resolve(settings.Encoder, "--encoder"),
            Scheme = settings.Scheme == "bioes" ? TaggingScheme.Bioes : TaggingScheme.Bio, MaxTrainSentences = settings.MaxTrain, MaxTokens = settings.MaxTokens,
            FreezeEncoder = settings.FreezeEncoder, Baseline = !settings.NoBaseline, OutputDirectory = settings.Out,
            Training = new TrainingOptions
            {
                Epochs = settings.Epochs, BatchSize = settings.BatchSize, LearningRate = settings.LearningRate, Seed = settings.Seed, Threads = settings.Threads,
            },
        };
        NerBenchmarkResult result = ConsoleProgress.Training("token classification", progress =>
        {
            options.Progress = progress;
            return NerBenchmark.Run(options, cancellationToken);
        });
        AnsiConsole.MarkupLine($"Fine-tuned {Markup.Escape(result.Encoder)} on {result.TrainSentences} sentences ({result.Tags.Count} tags): " +
            $"{result.Training.Steps} steps, {result.Training.TrainingSeconds:F0} s, {result.Training.RowsPerSecond:F1} sentences/s in training; dev {result.DevSentences} sentences.");
        NerReport.Print(result.FineTuned, result.Baseline);
        if (result.ModelPath is not null)
            AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(result.ModelPath)}[/]");
        if (settings.Json is not null)
            ResultJson.Write(settings.Json, result);
        return 0;
    }
}
