using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using MLNetExt.Benchmarks.Runners;
using MLNetExt.Cli.Infrastructure;
using MLNetExt.Transforms.IO;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Bench;

/// <summary>
/// <c>mlnetext bench train</c>: the median time of one fine-tuning step of all-MiniLM-L6-v2 (batch of sentences of a
/// fixed token length) through the library's TorchSharp path; Benchmarks/train-step-vs-pytorch.sh runs it beside PyTorch.
/// </summary>
public sealed class BenchTrainCommand : Command<BenchTrainCommand.Settings>
{
    /// <summary>Options of <c>bench train</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Sequence lengths to time.</summary>
        [CommandOption("--tokens <LIST>")]
        [Description("Comma-separated tokens per sentence, [[CLS]] and [[SEP]] included (default 32,64,128).")]
        public string Tokens { get; init; } = "32,64,128";

        /// <summary>Sentences per step.</summary>
        [CommandOption("--batch-size <N>")]
        [Description("Sentences per step (default 32).")]
        public int BatchSize { get; init; } = 32;

        /// <summary>Timed steps per length.</summary>
        [CommandOption("--steps <N>")]
        [Description("Timed steps per length, after one untimed warm-up step (default 10).")]
        public int Steps { get; init; } = 10;

        /// <summary>libtorch threads.</summary>
        [CommandOption("--threads <N>")]
        [Description("libtorch intra-op threads (default 2).")]
        public int Threads { get; init; } = 2;

        /// <summary>Where to write the timings as JSON.</summary>
        [CommandOption("--json <FILE>")]
        [Description("Write the timings as JSON to FILE.")]
        public string? Json { get; init; }

        internal int[] ParsedTokens => [.. Tokens.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1)];

        /// <inheritdoc />
        public override ValidationResult Validate()
        {
            int[] tokens = ParsedTokens;
            if (tokens.Length == 0 || tokens.Any(t => t is < 3 or > 512))
                return ValidationResult.Error($"--tokens must list lengths between 3 and 512 separated by commas; got '{Tokens}'.");
            return BatchSize < 1 ? ValidationResult.Error($"--batch-size must be at least 1; got {BatchSize}.")
                : Steps < 1 ? ValidationResult.Error($"--steps must be at least 1; got {Steps}.")
                : Threads < 1 ? ValidationResult.Error($"--threads must be at least 1; got {Threads}.")
                : ValidationResult.Success();
        }
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        var timings = new List<TrainingStepTiming>();
        var table = new Table().AddColumns("tokens", "batch", "steps timed", "median step (s)", "sentences/s");
        foreach (int tokens in settings.ParsedTokens)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TrainingStepTiming timing = TrainingStepBenchmark.Run(tokens, settings.BatchSize, settings.Steps, settings.Threads, cancellationToken);
            timings.Add(timing);
            table.AddRow(I(tokens), I(timing.BatchSize), I(timing.Steps), timing.MedianStepSeconds.ToString("F3", CultureInfo.InvariantCulture),
                timing.SentencesPerSecond.ToString("F1", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        if (settings.Json is not null)
        {
            AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(timings.Select(t => new
            {
                tokens = t.Tokens, batch_size = t.BatchSize, steps = t.Steps, threads = t.Threads,
                median_step_seconds = t.MedianStepSeconds, sentences_per_second = t.SentencesPerSecond,
            }), new JsonSerializerOptions { WriteIndented = true }));
            AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(settings.Json)}[/].");
        }
        return 0;
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
