using System.ComponentModel;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms;
using MLNetExt.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Info;

/// <summary>
/// <c>mlnetext demo</c>: the first thing a new user runs. Checks the installation (as <c>info</c> does), then encodes a
/// few sentences with a pretrained encoder through an ML.NET pipeline and prints their cosine similarities.
/// </summary>
public sealed class DemoCommand : Command<DemoCommand.Settings>
{
    private static readonly string[] DefaultSentences =
    {
        "A man is playing a guitar.",
        "Someone is strumming a guitar on stage.",
        "The new movie is awesome.",
        "The film got great reviews from critics.",
        "A woman is slicing an onion.",
        "Onions are being chopped in the kitchen.",
    };

    /// <summary>Options of <c>demo</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The encoder: a pretrained name (minilm, arctic-xs) or a Hugging Face-layout folder.</summary>
        [CommandOption("-m|--model <NAME|DIR>")]
        [Description("Pretrained encoder name (all-MiniLM-L6-v2, snowflake-arctic-embed-xs) or a model folder.")]
        public string Model { get; init; } = "all-MiniLM-L6-v2";

        /// <summary>Sentences to compare; six built-in ones when none are given.</summary>
        [CommandArgument(0, "[SENTENCES]")]
        [Description("Sentences to compare (default: six built-in sentences).")]
        public string[] Sentences { get; init; } = Array.Empty<string>();
    }

    private sealed class Row
    {
        public string Text { get; set; } = "";
    }

    private sealed class Embedded
    {
        [VectorType]
        public float[] Embedding { get; set; } = Array.Empty<float>();
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ModelArgument.RequireFolderIfPath(settings.Model, "--model");
        int status = new InfoCommand().Execute(context, new InfoCommand.Settings(), cancellationToken);
        if (status != 0)
            return status;

        string[] sentences = settings.Sentences.Length > 0 ? settings.Sentences : DefaultSentences;
        EncoderModel model = ModelArgument.Resolve(settings.Model);
        var mlContext = new MLContext(seed: 1);
        IDataView data = mlContext.Data.LoadFromEnumerable(sentences.Select(s => new Row { Text = s }));
        var pipeline = mlContext.Transforms.Text.EncodeText("Embedding", "Text", model);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        float[][] vectors = mlContext.Data.CreateEnumerable<Embedded>(pipeline.Fit(data).Transform(data), reuseRowObject: false)
            .Select(e => e.Embedding).ToArray();
        watch.Stop();

        AnsiConsole.WriteLine();
        AnsiConsole.MarkupLine($"Encoded {sentences.Length} sentences with [bold]{Markup.Escape(model.Name)}[/] " +
            $"({vectors[0].Length} dimensions) in {watch.Elapsed.TotalMilliseconds:F0} ms. Cosine similarities:");
        var table = new Table().AddColumn("#").AddColumn("sentence");
        for (int j = 0; j < sentences.Length; j++)
            table.AddColumn((j + 1).ToString(CultureInfo.InvariantCulture));
        for (int i = 0; i < sentences.Length; i++)
        {
            var cells = new List<string> { (i + 1).ToString(CultureInfo.InvariantCulture), Markup.Escape(sentences[i]) };
            for (int j = 0; j < sentences.Length; j++)
            {
                float cosine = Cosine(vectors[i], vectors[j]);
                string text = cosine.ToString("F2", CultureInfo.InvariantCulture);
                cells.Add(i == j ? "[grey]1.00[/]" : cosine >= 0.5f ? $"[green]{text}[/]" : text);
            }
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
        return 0;
    }

    private static float Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return (float)(dot / Math.Sqrt(na * nb));
    }
}
