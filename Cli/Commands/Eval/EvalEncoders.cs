using Microsoft.ML;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Transforms;
using MLNetExt.Cli.Infrastructure;
using Spectre.Console;

namespace MLNetExt.Cli.Commands.Eval;

/// <summary>Builds the text encoder the <c>eval</c> verbs score with: a pretrained name or a Hugging Face-layout folder.</summary>
internal static class EvalEncoders
{
    /// <summary>The encoder used when <c>--model</c> is not given.</summary>
    public const string DefaultModel = "all-MiniLM-L6-v2";

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Loads the model and fits <c>EncodeText</c> (Text -> Embedding) on it.</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="nameOrFolder">A pretrained name/alias (minilm, arctic-xs) or a model folder.</param>
    /// <param name="batchSize">Rows per ONNX Runtime call.</param>
    /// <param name="threads">ONNX Runtime intra-op threads; null lets it choose.</param>
    /// <param name="fuseGraph">Run a recognised BERT graph fused (<see cref="TextEncoderOptions.FuseGraph"/>, the default).</param>
    /// <param name="tokenEmbeddingsColumn">When set, the embedder reads this column of every token's vector instead of the sentence vector.</param>
    public static (TransformerEmbedder Embedder, EncoderModel Model) Create(MLContext mlContext, string? nameOrFolder, int batchSize, int? threads,
        bool fuseGraph = true, string? tokenEmbeddingsColumn = null)
    {
        string source = string.IsNullOrWhiteSpace(nameOrFolder) ? DefaultModel : nameOrFolder;
        EncoderModel model = ModelArgument.Resolve(source);
        var estimator = mlContext.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            InputColumnName = "Text",
            OutputColumnName = "Embedding",
            Model = model,
            BatchSize = batchSize,
            IntraOpThreads = threads,
            FuseGraph = fuseGraph,
            TokenEmbeddingsColumnName = tokenEmbeddingsColumn,
        });
        var transformer = estimator.Fit(mlContext.Data.LoadFromEnumerable(Array.Empty<TextRow>()));
        AnsiConsole.MarkupLine($"[grey]encoder:[/] {Markup.Escape(model.ToString())}, max {model.Config.MaxTokens} tokens, " +
            $"normalize {model.Config.Normalize}, {(transformer.IsGraphFused ? "fused graph" : "graph as it is")}{(model.Config.QueryPrefix.Length > 0 ? $", query prefix \"{Markup.Escape(model.Config.QueryPrefix)}\"" : "")}");
        return (new TransformerEmbedder(mlContext, transformer, "Text", tokenEmbeddingsColumn ?? "Embedding"), model);
    }
}
