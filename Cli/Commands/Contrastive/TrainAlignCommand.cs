using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using MLNetExt.Trainers.CrossModal;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms.IO;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Contrastive;

/// <summary>
/// <c>mlnetext train align</c>: aligns UCI Multiple Features (digits described by six feature channels) with a frozen
/// text encoder's embeddings of the class captions, with CellCLIP's channel encoder and/or LiMBeR's linear map
/// (<see cref="CrossModalAlignmentRun"/>), and prints feature -> caption accuracy (also with each channel missing) and
/// caption -> digits precision and recall@10 on held-out digits.
/// </summary>
public sealed class TrainAlignCommand : Command<TrainAlignCommand.Settings>
{
    /// <summary>Options of <c>train align</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The Multiple Features folder.</summary>
        [CommandOption("--data <DIR>")]
        [Description("UCI Multiple Features folder (mfeat-fou ... mfeat-mor, labels.tsv), e.g. ../shared/data/mfeat.")]
        public string Data { get; init; } = "";

        /// <summary>Modes.</summary>
        [CommandOption("--mode <MODE>")]
        [Description("channel-encoder (CLIP loss, CellCLIP channel encoder), linear-map (LiMBeR) or both (default).")]
        public string Mode { get; init; } = "both";

        /// <summary>Training digits per class.</summary>
        [CommandOption("--train-per-class <N>")]
        [Description("The first N digits of each class train, the rest test (default 150 of 200).")]
        public int TrainPerClass { get; init; } = 150;

        /// <summary>Test digits per class.</summary>
        [CommandOption("--test-per-class <N>")]
        [Description("Test on at most N held-out digits of each class (default: all).")]
        public int? TestPerClass { get; init; }

        /// <summary>Text encoder.</summary>
        [CommandOption("--encoder <NAME|DIR>")]
        public string Encoder { get; init; } = "all-MiniLM-L6-v2";

        /// <summary>Epochs.</summary>
        [CommandOption("--epochs <N>")]
        public int Epochs { get; init; } = 20;

        /// <summary>Batch size.</summary>
        [CommandOption("--batch-size <N>")]
        public int BatchSize { get; init; } = 32;

        /// <summary>Learning rate.</summary>
        [CommandOption("--learning-rate <LR>")]
        public double LearningRate { get; init; } = 1e-3;

        /// <summary>Channel dropout.</summary>
        [CommandOption("--channel-dropout <P>")]
        [Description("Probability of hiding each channel of a training digit (channel encoder; default 0.2).")]
        public double ChannelDropout { get; init; } = 0.2;

        /// <summary>Seed.</summary>
        [CommandOption("--seed <N>")]
        public int Seed { get; init; } = 42;

        /// <summary>JSON result file.</summary>
        [CommandOption("--json <FILE>")]
        public string? Json { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Data) ? ValidationResult.Error("--data is required.")
            : ParseModes(Mode) is null ? ValidationResult.Error($"--mode must be channel-encoder, linear-map or both, got '{Mode}'.")
            : Epochs < 1 ? ValidationResult.Error($"--epochs must be at least 1, got {Epochs}.")
            : BatchSize < 2 ? ValidationResult.Error($"--batch-size must be at least 2 (in-batch negatives), got {BatchSize}.")
            : ValidationResult.Success();

        internal static CrossModalMode[]? ParseModes(string text) => text switch
        {
            "both" => [CrossModalMode.ChannelEncoder, CrossModalMode.LinearMap],
            "channel-encoder" => [CrossModalMode.ChannelEncoder],
            "linear-map" => [CrossModalMode.LinearMap],
            _ => null,
        };
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var spec = new CrossModalAlignmentRunSpec
        {
            DataFolder = settings.Data, Modes = Settings.ParseModes(settings.Mode)!, TrainPerClass = settings.TrainPerClass, TestPerClass = settings.TestPerClass,
            Encoder = settings.Encoder, Epochs = settings.Epochs, BatchSize = settings.BatchSize, LearningRate = settings.LearningRate,
            ChannelDropout = settings.ChannelDropout, Seed = settings.Seed,
        };
        CrossModalAlignmentRunResult result = CrossModalAlignmentRun.Execute(spec, null, cancellationToken);

        AnsiConsole.MarkupLine($"UCI Multiple Features: {result.TrainingSamples} training digits, {result.TestSamples} test digits; captions embedded by {Markup.Escape(result.Encoder)}");
        var table = new Table().AddColumn("mode").AddColumn("accuracy %").AddColumn("worst, one channel missing %").AddColumn("precision@10 %")
            .AddColumn("recall@10 %").AddColumn("steps").AddColumn("seconds");
        foreach (CrossModalModeResult mode in result.Modes)
        {
            CrossModalEvaluationResult e = mode.Evaluation;
            KeyValuePair<string, double> worst = e.AccuracyWithoutChannel.MinBy(p => p.Value);
            table.AddRow(mode.Mode.ToString(), Percent(e.FeatureToCaptionAccuracy), $"{Percent(worst.Value)} ({Markup.Escape(worst.Key)})",
                Percent(e.TextToFeaturesPrecisionAt10), Percent(e.TextToFeaturesRecallAt10),
                mode.Training.Steps.ToString(CultureInfo.InvariantCulture), mode.Training.TrainingSeconds.ToString("F0", CultureInfo.InvariantCulture));
            AnsiConsole.MarkupLine($"{mode.Mode}: feature -> caption accuracy {Percent(e.FeatureToCaptionAccuracy)}%, text -> features recall@10 {Percent(e.TextToFeaturesRecallAt10)}%");
        }
        AnsiConsole.Write(table);
        if (settings.Json is not null)
        {
            AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(new
            {
                encoder = result.Encoder, channels = result.ChannelNames, training_digits = result.TrainingSamples, test_digits = result.TestSamples,
                modes = result.Modes.Select(m => new
                {
                    mode = m.Mode.ToString(), accuracy = m.Evaluation.FeatureToCaptionAccuracy, accuracy_without_channel = m.Evaluation.AccuracyWithoutChannel,
                    precision_at_10 = m.Evaluation.TextToFeaturesPrecisionAt10, recall_at_10 = m.Evaluation.TextToFeaturesRecallAt10,
                    steps = m.Training.Steps, seconds = m.Training.TrainingSeconds, mean_loss = m.Training.MeanLoss,
                }),
                settings = spec,
            }, new JsonSerializerOptions { WriteIndented = true }));
        }
        return 0;
    }

    private static string Percent(double value) => (100 * value).ToString("F1", CultureInfo.InvariantCulture);
}
