using Microsoft.ML;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Transforms;

namespace MLNetExt;

/// <summary>Catalog entry points of attention-head pruning for fine-tuned classifiers and regressors.</summary>
public static class ClassifierHeadPruningCatalog
{
    /// <summary>
    /// Removes <paramref name="pruneFraction"/> of the attention heads of the fine-tuned <paramref name="model"/>, the
    /// least important for its own task loss on the labelled rows the estimator is fitted on, then recovers with one
    /// epoch of fine-tuning on the same rows.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="model">A fine-tuned sentence classifier or regressor (<c>EncoderTextClassification</c>, <c>EncoderSentenceSimilarity</c>, or <see cref="EncoderFineTuningTransformer.Load"/>).</param>
    /// <param name="pruneFraction">Share of all heads removed, in (0, 1).</param>
    /// <param name="labelColumnName">The label column (key for a classifier, Single for a regressor).</param>
    public static ClassifierHeadPruningTrainer PruneClassifierHeads(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        EncoderFineTuningTransformer model, double pruneFraction = 0.4, string labelColumnName = "Label")
        => catalog.PruneClassifierHeads(model, new ClassifierHeadPruningOptions { PruneFraction = pruneFraction, LabelColumnName = labelColumnName });

    /// <summary>Prunes a fine-tuned classifier's heads with every option of <see cref="ClassifierHeadPruningOptions"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or the head budget leaves a layer without heads (the message names it and its value).</exception>
    /// <exception cref="ArgumentException">The model is not a sentence classifier or regressor (a token classifier, or a graph without a linear head).</exception>
    public static ClassifierHeadPruningTrainer PruneClassifierHeads(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        EncoderFineTuningTransformer model, ClassifierHeadPruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        return new ClassifierHeadPruningTrainer(CatalogEnvironment.Get(catalog), model, options);
    }
}
