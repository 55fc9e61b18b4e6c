using MLNetExt.Transforms.IO;
using System.ComponentModel;
using Microsoft.ML;
using Microsoft.ML.Data;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;
using MLNetExt.Cli.Infrastructure;
using MLNetExt.Transforms.Onnx;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Train;

/// <summary>
/// <c>mlnetext train export</c>: reads a pretrained encoder into TorchSharp and writes it back as a freshly emitted
/// ONNX graph (a Hugging Face-layout folder: model.onnx, vocab.txt, config.json); optionally checks it against the
/// original graph on real sentences (max |difference| of the last hidden state, and sentences/s of both).
/// </summary>
public sealed class TrainExportCommand : Command<TrainExportCommand.Settings>
{
    /// <summary>Options of <c>train export</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>minilm or arctic.</summary>
        [CommandOption("--encoder <NAME>")]
        [Description("Pretrained encoder: minilm (all-MiniLM-L6-v2) or arctic (snowflake-arctic-embed-xs).")]
        public string Encoder { get; init; } = "minilm";

        /// <summary>Write the portable pattern (standard ONNX operators) instead of ONNX Runtime's fused operators.</summary>
        [CommandOption("--no-fuse")]
        [Description("Write standard ONNX operators only (portable to other runtimes). By default the graph uses ONNX Runtime's fused Attention / SkipLayerNormalization / BiasGelu operators, as EncodeText runs it.")]
        public bool NoFuse { get; init; }

        /// <summary>Output folder.</summary>
        [CommandOption("--out <DIR>")]
        public string Out { get; init; } = "";

        /// <summary>A text file, one sentence per line, or a GLUE tsv (its sentence1 column is used) to compare on.</summary>
        [CommandOption("--compare-on <FILE>")]
        [Description("STS-B style tsv (sentence1 column) or a text file with one sentence per line; compares exported vs original graph.")]
        public string? CompareOn { get; init; }

        /// <summary>Sentences to compare on.</summary>
        [CommandOption("--rows <N>")]
        public int Rows { get; init; } = 512;

        /// <summary>Timing rounds (the graphs alternate, best round counts).</summary>
        [CommandOption("--rounds <N>")]
        public int Rounds { get; init; } = 3;

        /// <summary>File to write the comparison to as JSON.</summary>
        [CommandOption("--json <FILE>")]
        public string? Json { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate() =>
            string.IsNullOrEmpty(Out) ? ValidationResult.Error("--out is required.")
            : Encoder is not ("minilm" or "arctic") ? ValidationResult.Error($"--encoder must be minilm or arctic, got '{Encoder}'.")
            : ValidationResult.Success();
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFolder(settings.Out, "--out");
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        EncoderModel pretrained = PretrainedEncoders.Load(settings.Encoder == "arctic" ? "snowflake-arctic-embed-xs" : "all-MiniLM-L6-v2");
        string encoder = pretrained.Name;
        byte[] original = pretrained.ReadOnnxBytes();
        BertWeights weights;
        using (BertModel model = OnnxBertReader.Read(new MemoryStream(original), encoder).CreateModel())
            weights = model.ToWeights(); // through TorchSharp and back: what a trainer would write
        Directory.CreateDirectory(settings.Out);
        string onnxPath = Path.Combine(settings.Out, "model.onnx");
        OnnxBertWriter.Save(weights, onnxPath, style: settings.NoFuse ? OnnxGraphStyle.Portable : OnnxGraphStyle.OnnxRuntimeFused);
        File.WriteAllBytes(Path.Combine(settings.Out, "vocab.txt"), File.ReadAllBytes(pretrained.VocabularyPath));
        File.WriteAllText(Path.Combine(settings.Out, "config.json"), weights.Config.ToJson());
        AnsiConsole.MarkupLine($"Exported {encoder} ({weights.Config.LayerCount} layers, heads {string.Join("/", weights.Config.HeadsPerLayer)}) to [blue]{Markup.Escape(settings.Out)}[/]");
        if (settings.CompareOn is null)
            return 0;

        string[] sentences = ReadSentences(settings.CompareOn, settings.Rows);
        // Both graphs run through EncodeText (same tokenizer, batching and session settings); the token vectors are the
        // last hidden state over the real tokens.
        var ml = new MLContext();
        IDataView data = ml.Data.LoadFromEnumerable(sentences.Select(s => new TextRow { Text = s }).ToArray());
        TextEncoderTransformer Encoder(EncoderModel m) => ml.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            OutputColumnName = "Embedding", InputColumnName = nameof(TextRow.Text), Model = m, MaxTokens = 256, TokenEmbeddingsColumnName = "Tokens",
            FuseGraph = false, // each graph as it is
        }).Fit(data);
        TextEncoderTransformer originalEncoder = Encoder(pretrained);
        TextEncoderTransformer exportedEncoder = Encoder(pretrained.WithGraph(File.ReadAllBytes(onnxPath), "exported"));
        float[][] a = originalEncoder.Transform(data).GetColumn<float[]>("Tokens").ToArray();
        float[][] b = exportedEncoder.Transform(data).GetColumn<float[]>("Tokens").ToArray();
        double maxDiff = 0;
        for (int r = 0; r < a.Length; r++)
            for (int i = 0; i < a[r].Length; i++)
                maxDiff = Math.Max(maxDiff, Math.Abs(a[r][i] - b[r][i]));
        double bestOriginal = double.MaxValue, bestExported = double.MaxValue;
        for (int round = 0; round < settings.Rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bestOriginal = Math.Min(bestOriginal, Time(originalEncoder, data, cancellationToken));
            bestExported = Math.Min(bestExported, Time(exportedEncoder, data, cancellationToken));
        }
        originalEncoder.Dispose();
        exportedEncoder.Dispose();
        double originalRate = sentences.Length / bestOriginal, exportedRate = sentences.Length / bestExported;
        var table = new Table().AddColumns("graph", "sentences/s (best of rounds)");
        table.AddRow("original", originalRate.ToString("F1", CultureInfo.InvariantCulture));
        table.AddRow("exported", exportedRate.ToString("F1", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"max |exported - original| last_hidden_state over real tokens: {maxDiff:E2}; exported/original speed {exportedRate / originalRate:F3}"));
        if (settings.Json is not null)
        {
            var report = new Dictionary<string, object>
            {
                ["encoder"] = encoder, ["sentences"] = sentences.Length, ["maxAbsDiff"] = maxDiff,
                ["originalSentencesPerSecond"] = originalRate, ["exportedSentencesPerSecond"] = exportedRate, ["rounds"] = settings.Rounds,
            };
            MLNetExt.Transforms.IO.AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        }
        return 0;
    }

    private static double Time(TextEncoderTransformer encoder, IDataView data, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        encoder.Transform(data, cancellationToken).GetColumn<float[]>("Embedding").Count();
        return clock.Elapsed.TotalSeconds;
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    private static string[] ReadSentences(string path, int count)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Comparison file '{path}' does not exist.", path);
        IEnumerable<string> lines = File.ReadLines(path);
        string first = lines.FirstOrDefault() ?? throw new InvalidDataException($"{path}: empty file.");
        int column = Array.IndexOf(first.Split('\t'), "sentence1");
        return column < 0
            ? lines.Where(l => l.Length > 0).Take(count).ToArray()
            : lines.Skip(1).Select(l => l.Split('\t')).Where(f => f.Length > column).Select(f => f[column]).Take(count).ToArray();
    }
}
