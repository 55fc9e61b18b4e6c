using Microsoft.ML;
using MLNetExt.Transforms;

namespace MLNetExt;

/// <summary>The <c>CompressContext</c> verbs on <c>mlContext.Transforms.Text</c>.</summary>
public static class ContextCompressionCatalog
{
    /// <summary>
    /// Compresses a text column into K = ceil(tokens / ratio) vectors per row: the encoder's last-layer token vectors,
    /// averaged over runs of <paramref name="ratio"/> consecutive tokens (or over clusters of similar tokens), for
    /// late-interaction (MaxSim) retrieval.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">The vectors column (K x hidden floats, flat); K goes to <paramref name="outputColumnName"/> + "Count".</param>
    /// <param name="inputColumnName">The text column; null means "Text".</param>
    /// <param name="ratio">Tokens per vector: 1, 2, 4 or 8.</param>
    /// <param name="method">Consecutive means (default) or cluster means.</param>
    /// <param name="model">The encoder; null means all-MiniLM-L6-v2.</param>
    /// <example><code>
    /// var pipeline = mlContext.Transforms.Text.CompressContext("Vectors", "Text", ratio: 4);
    /// </code></example>
    public static CompressContextEstimator CompressContext(this TransformsCatalog.TextTransforms catalog, string outputColumnName = "Vectors",
        string? inputColumnName = null, int ratio = 4, ContextCompressionMethod method = ContextCompressionMethod.Mean, EncoderModel? model = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return CompressContext(catalog, new CompressContextOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            Ratio = ratio,
            Method = method,
            Model = model,
        });
    }

    /// <summary>Compresses a text column with every setting of <see cref="CompressContextOptions"/>.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="options">The settings.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range, e.g. a ratio outside {1, 2, 4, 8} (the message quotes it).</exception>
    public static CompressContextEstimator CompressContext(this TransformsCatalog.TextTransforms catalog, CompressContextOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new CompressContextEstimator(CatalogEnvironment.Get(catalog), options);
    }
}
