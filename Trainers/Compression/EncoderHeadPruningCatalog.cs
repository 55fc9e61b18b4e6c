using Microsoft.ML;
using MLNetExt.Trainers.Compression;
using MLNetExt.Transforms;

namespace MLNetExt;

/// <summary>Catalog entry points of attention-head pruning.</summary>
public static class EncoderHeadPruningCatalog
{
    /// <summary>
    /// Removes <paramref name="pruneFraction"/> of the attention heads of <paramref name="model"/> (all-MiniLM-L6-v2 when
    /// null), the least important for reproducing its own sentence embeddings on the text of
    /// <paramref name="textColumnName"/>, then recovers with one epoch of distillation towards the unpruned model.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="textColumnName">The text column (String).</param>
    /// <param name="pruneFraction">Share of all heads removed, in (0, 1).</param>
    /// <param name="model">The encoder to prune; null for all-MiniLM-L6-v2.</param>
    public static EncoderHeadPruningTrainer PruneEncoderHeads(this TransformsCatalog.TextTransforms catalog, string textColumnName = "Text",
        double pruneFraction = 0.4, EncoderModel? model = null)
        => catalog.PruneEncoderHeads(new EncoderHeadPruningOptions { TextColumnName = textColumnName, PruneFraction = pruneFraction, Model = model });

    /// <summary>Prunes an encoder's heads with every option of <see cref="EncoderHeadPruningOptions"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it and its value).</exception>
    /// <exception cref="ArgumentException">The teacher's vocabulary, width or casing differs from the model's.</exception>
    public static EncoderHeadPruningTrainer PruneEncoderHeads(this TransformsCatalog.TextTransforms catalog, EncoderHeadPruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new EncoderHeadPruningTrainer(catalog, CatalogEnvironment.Get(catalog), options);
    }
}
