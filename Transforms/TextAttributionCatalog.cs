using Microsoft.ML;
using MLNetExt.Transforms.Attribution;

namespace MLNetExt;

/// <summary>The <c>ExplainText</c> verbs on <c>mlContext.Transforms.Text</c>.</summary>
public static class TextAttributionCatalog
{
    /// <summary>
    /// Explains a fitted text pipeline word by word: adds a column of per-word attributions of its output and a column
    /// of the words. Occlusion by default; any <see cref="AttributionMethodOptions"/> through the options overload.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="model">The fitted pipeline to explain (text in, a float or vector of floats out).</param>
    /// <param name="inputColumnName">The text column the pipeline reads.</param>
    /// <param name="scoreColumnName">The output to explain (e.g. <c>Score</c> or <c>Probability</c>).</param>
    /// <param name="method">The method; null means occlusion.</param>
    /// <example><code>
    /// var explain = mlContext.Transforms.Text.ExplainText(model, "Text", "Score", new KernelShapOptions { Samples = 128 });
    /// </code></example>
    public static TextAttributionEstimator ExplainText(this TransformsCatalog.TextTransforms catalog, ITransformer model,
        string inputColumnName = "Text", string scoreColumnName = "Score", AttributionMethodOptions? method = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return ExplainText(catalog, model, new TextAttributionOptions
        {
            InputColumnName = inputColumnName,
            ScoreColumnName = scoreColumnName,
            Method = method ?? new OcclusionOptions(),
        });
    }

    /// <summary>Explains a fitted text pipeline with every setting of <see cref="TextAttributionOptions"/>.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="model">The fitted pipeline to explain.</param>
    /// <param name="options">The settings.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message quotes it).</exception>
    public static TextAttributionEstimator ExplainText(this TransformsCatalog.TextTransforms catalog, ITransformer model, TextAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TextAttributionEstimator(model, options);
    }
}
