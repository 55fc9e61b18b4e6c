using Microsoft.ML;
using MLNetExt.Transforms;

namespace MLNetExt;

/// <summary>The <c>EncodeText</c> verbs on <c>mlContext.Transforms.Text</c>.</summary>
public static class TextEncoderCatalog
{
    /// <summary>
    /// Sentence embeddings of a text column: tokenises with the model's WordPiece vocabulary, runs the encoder in
    /// length-sorted batches with ONNX Runtime, pools and (per the model) normalises.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">Name of the output column: a known-size vector of floats (the model's hidden size).</param>
    /// <param name="inputColumnName">Name of the text column; null means <paramref name="outputColumnName"/>.</param>
    /// <param name="model">The encoder; null means all-MiniLM-L6-v2 (<see cref="PretrainedEncoders.MiniLM"/>).</param>
    /// <example><code>
    /// var pipeline = mlContext.Transforms.Text.EncodeText("Embedding", "Text", PretrainedEncoders.Load("minilm"));
    /// </code></example>
    public static TextEncoderEstimator EncodeText(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string? inputColumnName = null, EncoderModel? model = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return EncodeText(catalog, new TextEncoderOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            Model = model,
        });
    }

    /// <summary>Sentence (and optional token) embeddings of a text column, with every setting of <see cref="TextEncoderOptions"/>.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="options">The settings.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message quotes it).</exception>
    public static TextEncoderEstimator EncodeText(this TransformsCatalog.TextTransforms catalog, TextEncoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new TextEncoderEstimator(CatalogEnvironment.Get(catalog), options);
    }
}
