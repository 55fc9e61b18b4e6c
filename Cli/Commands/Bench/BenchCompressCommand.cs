using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using MLNetExt.Benchmarks.Runners;
using MLNetExt.Cli.Commands.Eval;
using MLNetExt.Cli.Infrastructure;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Transforms;
using MLNetExt.Transforms.IO;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Bench;

/// <summary>
/// <c>mlnetext bench compress</c>: documents per second of a trained context compressor's graph, one document per run
/// against the batched route of <c>eval beir --multi-vector --compressor</c>, on the same token states of a BEIR corpus.
/// </summary>
public sealed class BenchCompressCommand : Command<BenchCompressCommand.Settings>
{
    /// <summary>Options of <c>bench compress</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The compressor folder.</summary>
        [CommandOption("--compressor <DIR>")]
        [Description("A trained context compressor folder (train context-compressor).")]
        public string Compressor { get; init; } = "";

        /// <summary>The BEIR dataset folder.</summary>
        [CommandOption("--data <DIR>")]
        [Description("A BEIR dataset folder (corpus.jsonl); its first --documents documents are compressed.")]
        public string Data { get; init; } = "";

        /// <summary>Documents compressed per round.</summary>
        [CommandOption("--documents <N>")]
        [Description("Documents compressed per round (default 512).")]
        public int Documents { get; init; } = 512;

        /// <summary>Ratio.</summary>
        [CommandOption("--ratio <X>")]
        [Description("Word pieces per vector: 1, 2, 4 or 8 (default: the ratio the compressor was trained at, else 4).")]
        public int? Ratio { get; init; }

        /// <summary>Texts per run on the batched route.</summary>
        [CommandOption("--batch-size <N>")]
        [Description("Documents per run of the compressor graph on the batched route, and rows per encoder call (default 32).")]
        public int BatchSize { get; init; } = 32;

        /// <summary>Timed rounds per route.</summary>
        [CommandOption("--rounds <N>")]
        [Description("Timed rounds per route, alternating; the median counts (default 3).")]
        public int Rounds { get; init; } = 3;

        /// <summary>ONNX Runtime threads of the encoder.</summary>
        [CommandOption("--threads <N>")]
        [Description("ONNX Runtime intra-op threads of the encoder. Default: ONNX Runtime's choice.")]
        public int? Threads { get; init; }

        /// <summary>Token-state cache (as eval beir --multi-vector writes it).</summary>
        [CommandOption("--token-cache <FILE>")]
        [Description("Read the documents' token states from FILE (the --token-cache of 'eval beir --multi-vector --compressor' with the same compressor) instead of encoding them.")]
        public string? TokenCache { get; init; }

        /// <summary>Where to write the timing as JSON.</summary>
        [CommandOption("--json <FILE>")]
        [Description("Write the timing as JSON to FILE.")]
        public string? Json { get; init; }

        /// <inheritdoc />
        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Compressor) ? ValidationResult.Error("--compressor is required.")
            : string.IsNullOrWhiteSpace(Data) ? ValidationResult.Error("--data is required.")
            : Documents < 1 ? ValidationResult.Error($"--documents must be at least 1; got {Documents}.")
            : Ratio is int r && !ContextPooling.Ratios.Contains(r) ? ValidationResult.Error($"--ratio must be 1, 2, 4 or 8; got {r}.")
            : BatchSize < 2 ? ValidationResult.Error($"--batch-size must be at least 2; got {BatchSize}.")
            : Rounds < 1 ? ValidationResult.Error($"--rounds must be at least 1; got {Rounds}.")
            : Threads is < 1 ? ValidationResult.Error($"--threads must be at least 1; got {Threads}.")
            : ValidationResult.Success();
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        using LearnedContextCompressor compressor = LearnedContextCompressor.Load(settings.Compressor);
        int ratio = settings.Ratio ?? compressor.TrainedRatio ?? 4;
        BeirDataset dataset = BeirReader.Load(settings.Data);
        var ml = new MLContext(seed: 0);
        var (transformerEncoder, model) = EvalEncoders.Create(ml, settings.Compressor, settings.BatchSize, settings.Threads, tokenEmbeddingsColumn: "Tokens");
        using CachedTextEmbedder? cache = settings.TokenCache is null ? null : LateInteractionOptions.OpenCache(transformerEncoder, model, settings.TokenCache, fused: true);
        ITextEmbedder encoder = (ITextEmbedder?)cache ?? transformerEncoder;
        // The texts exactly as eval beir encodes them, so that its token cache is read, not written.
        var texts = dataset.Corpus.Take(settings.Documents).Select(d => model.Config.DocumentPrefix + d.TitleAndText).ToList();
        float[][] states = ConsoleProgress.Encoding(progress => encoder.EmbedAll(texts, "corpus", progress, cancellationToken));

        CompressorBatchingTiming timing = CompressorBatchingBenchmark.Run(compressor, states, ratio, settings.BatchSize, settings.Rounds, cancellationToken);
        var table = new Table().AddColumns("route", "documents", "median round (s)", "documents/s");
        table.AddRow("one document per run", I(timing.Texts), F(timing.OneAtATimeSeconds, "F3"), F(timing.OneAtATimePerSecond, "F1"));
        table.AddRow($"batched, {timing.BatchSize} per run", I(timing.Texts), F(timing.BatchedSeconds, "F3"), F(timing.BatchedPerSecond, "F1"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"ratio {timing.Ratio}: batched is {F(timing.Speedup, "F2")}x faster; largest difference of a vector value {timing.MaxAbsoluteDifference:E2}");
        if (settings.Json is not null)
        {
            AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(new
            {
                documents = timing.Texts, ratio = timing.Ratio, batch_size = timing.BatchSize, rounds = timing.Rounds,
                one_at_a_time_seconds = timing.OneAtATimeSeconds, batched_seconds = timing.BatchedSeconds,
                one_at_a_time_per_second = timing.OneAtATimePerSecond, batched_per_second = timing.BatchedPerSecond,
                speedup = timing.Speedup, max_abs_difference = timing.MaxAbsoluteDifference,
            }, new JsonSerializerOptions { WriteIndented = true }));
            AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(settings.Json)}[/].");
        }
        return 0;
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
