using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using MLNetExt.Trainers.Pretraining;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms.IO;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Pretraining;

/// <summary>
/// <c>mlnetext train mlm</c>: trains a masked-language-model head over a frozen encoder
/// (<see cref="MaskedLanguageModelingRun"/>), prints held-out top-1/top-5 accuracy beside the most-frequent-word floor,
/// and writes a folder that ReAGent's <c>--replacement-model</c> reads.
/// </summary>
public sealed class TrainMlmCommand : Command<TrainMlmCommand.Settings>
{
    /// <summary>Options of <c>train mlm</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Encoder.</summary>
        [CommandOption("--encoder <NAME|DIR>")]
        [Description("Pretrained encoder name or encoder folder (default all-MiniLM-L6-v2); it stays frozen.")]
        public string Encoder { get; init; } = "all-MiniLM-L6-v2";

        /// <summary>Training files.</summary>
        [CommandOption("--text <FILE>")]
        [Description("Training text, repeatable: .txt (one paragraph or sentence per line; WikiText paragraphs are split into sentences) or .tsv with a header.")]
        public string[] Text { get; init; } = [];

        /// <summary>Held-out files.</summary>
        [CommandOption("--held-out <FILE>")]
        [Description("Held-out text, repeatable, read the same way; top-1/top-5 accuracy is measured on it.")]
        public string[] HeldOut { get; init; } = [];

        /// <summary>Columns of .tsv files.</summary>
        [CommandOption("--text-col <NAMES>")]
        [Description("Comma-separated columns read from .tsv files (default sentence,sentence1,sentence2; missing ones are skipped).")]
        public string Columns { get; init; } = "sentence,sentence1,sentence2";

        /// <summary>Training sentence cap.</summary>
        [CommandOption("--max-texts <N>")]
        public int? MaxTexts { get; init; }

        /// <summary>Held-out sentence cap.</summary>
        [CommandOption("--max-held-out <N>")]
        [Description("Held-out sentences at most (default 2000).")]
        public int MaxHeldOut { get; init; } = 2000;

        /// <summary>Token limit.</summary>
        [CommandOption("--max-tokens <N>")]
        public int MaxTokens { get; init; } = 128;

        /// <summary>Mask fraction.</summary>
        [CommandOption("--mask-fraction <F>")]
        public double MaskFraction { get; init; } = 0.15;

        /// <summary>Epochs.</summary>
        [CommandOption("--epochs <N>")]
        public int Epochs { get; init; } = 3;

        /// <summary>Masked words per step.</summary>
        [CommandOption("--batch-size <N>")]
        [Description("Masked words per step (default 256).")]
        public int BatchSize { get; init; } = 256;

        /// <summary>Learning rate.</summary>
        [CommandOption("--learning-rate <LR>")]
        public double LearningRate { get; init; } = 1e-3;

        /// <summary>Seed.</summary>
        [CommandOption("--seed <N>")]
        public int Seed { get; init; } = 42;

        /// <summary>Output folder.</summary>
        [CommandOption("--out <DIR>")]
        [Description("Folder for the encoder and its head (mlm_head.safetensors), written atomically.")]
        public string Out { get; init; } = "";

        /// <summary>JSON result.</summary>
        [CommandOption("--json <FILE>")]
        public string? Json { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate() =>
            Text.Length == 0 ? ValidationResult.Error("--text is required (one or more files).")
            : HeldOut.Length == 0 ? ValidationResult.Error("--held-out is required (one or more files).")
            : string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out is required.")
            : ValidationResult.Success();
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var spec = new MaskedLanguageModelingRunSpec
        {
            Encoder = settings.Encoder, TrainingFiles = settings.Text, HeldOutFiles = settings.HeldOut,
            Columns = settings.Columns.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            MaxTrainingTexts = settings.MaxTexts, MaxHeldOutTexts = settings.MaxHeldOut,
            Options = new MaskedLanguageModelingOptions
            {
                MaxTokens = settings.MaxTokens, MaskFraction = settings.MaskFraction,
                Training = new TrainingOptions { BatchSize = settings.BatchSize, Epochs = settings.Epochs, LearningRate = settings.LearningRate, Seed = settings.Seed, WarmupFraction = 0.06, KeepBestModel = false },
            },
        };
        MaskedLanguageModelingResult result = null!;
        AnsiConsole.Progress().Start(progress =>
        {
            ProgressTask bar = progress.AddTask("masked-language-model head", maxValue: 1);
            spec.Options.Progress = new Progress<TrainingProgress>(p =>
            {
                bar.MaxValue = p.TotalSteps;
                bar.Value = p.Step;
            });
            result = MaskedLanguageModelingRun.Execute(spec, null, cancellationToken);
            bar.Value = bar.MaxValue;
        });
        result.Save(settings.Out);

        AnsiConsole.MarkupLine($"{Markup.Escape(result.Encoder.Name)} (frozen): {result.TrainingWords} masked training words, {result.HeldOutWords} held out; " +
            $"encoding {result.EncodingSeconds:F0} s, training {result.Training.TrainingSeconds:F0} s ({result.Training.Steps} steps)");
        var table = new Table().AddColumn("held-out accuracy").AddColumn("%");
        table.AddRow("top-1", Percent(result.Top1));
        table.AddRow("top-5", Percent(result.Top5));
        table.AddRow("most frequent word (floor)", Percent(result.FrequencyTop1));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Wrote {Markup.Escape(settings.Out)} (use it with --replacement-model).");
        if (settings.Json is not null)
        {
            AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(new
            {
                encoder = result.Encoder.Name, training_words = result.TrainingWords, held_out_words = result.HeldOutWords,
                top1 = result.Top1, top5 = result.Top5, frequency_top1 = result.FrequencyTop1,
                encoding_seconds = result.EncodingSeconds, training_seconds = result.Training.TrainingSeconds, steps = result.Training.Steps,
                mean_loss = result.Training.MeanLoss, settings = new { spec.Encoder, spec.TrainingFiles, spec.HeldOutFiles, spec.MaxTrainingTexts, spec.MaxHeldOutTexts,
                    settings.MaxTokens, settings.MaskFraction, settings.Epochs, settings.BatchSize, settings.LearningRate, settings.Seed },
            }, new JsonSerializerOptions { WriteIndented = true }));
        }
        return 0;
    }

    private static string Percent(double value) => double.IsNaN(value) ? "-" : (100 * value).ToString("F2", CultureInfo.InvariantCulture);
}
