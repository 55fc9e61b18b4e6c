using Microsoft.ML;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Transforms;

namespace MLNetExt;

/// <summary>Catalog entry points of latency-adjustable token pruning for fine-tuned classifiers and regressors.</summary>
public static class TokenPruningCatalog
{
    /// <summary>
    /// Fine-tunes <paramref name="model"/> to work with token pruning at <paramref name="targetSchedule"/> (one fraction
    /// of tokens per layer, <c>1,0.9,0.8,0.7,0.6,0.5</c>, or one rate, <c>0.8</c>) on the labelled rows the estimator
    /// is fitted on; the fitted model serves that schedule and takes others through <c>WithTokenKeep</c>.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="model">A fine-tuned sentence classifier (<c>EncoderTextClassification</c> or <see cref="EncoderFineTuningTransformer.Load"/>).</param>
    /// <param name="targetSchedule">The keep schedule to fine-tune for.</param>
    /// <param name="labelColumnName">The label column (key).</param>
    public static TokenPruningTrainer PruneTokens(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        EncoderFineTuningTransformer model, string targetSchedule = "0.8", string labelColumnName = "Label")
        => catalog.PruneTokens(model, new TokenPruningOptions { TargetSchedule = targetSchedule, LabelColumnName = labelColumnName });

    /// <summary>Token-pruning fine-tuning of a classifier with every option of <see cref="TokenPruningOptions"/>.</summary>
    /// <exception cref="ArgumentException">The schedule is not valid for the model (the message names the bad fraction), or the model is not a sentence classifier or regressor.</exception>
    public static TokenPruningTrainer PruneTokens(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        EncoderFineTuningTransformer model, TokenPruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Create(CatalogEnvironment.Get(catalog), model, options);
    }

    /// <summary>Token-pruning fine-tuning of a regressor (<c>EncoderSentenceSimilarity</c>) with every option of <see cref="TokenPruningOptions"/>.</summary>
    /// <exception cref="ArgumentException">The schedule is not valid for the model, or the model is not a sentence classifier or regressor.</exception>
    public static TokenPruningTrainer PruneTokens(this RegressionCatalog.RegressionTrainers catalog, EncoderFineTuningTransformer model, TokenPruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Create(CatalogEnvironment.Get(catalog), model, options);
    }

    private static TokenPruningTrainer Create(Microsoft.ML.Runtime.IHostEnvironment host, EncoderFineTuningTransformer model, TokenPruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        return new TokenPruningTrainer(host, model, options);
    }
}
