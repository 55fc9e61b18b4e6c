using Microsoft.ML;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Transforms;

namespace MLNetExt;

/// <summary>Catalog entry points of layer dropping with distillation for fine-tuned classifiers and regressors.</summary>
public static class ClassifierDistillationCatalog
{
    /// <summary>
    /// Distils the fine-tuned classifier <paramref name="model"/> into a student made of <paramref name="studentLayerCount"/>
    /// of its layers (spread evenly, its embeddings and head copied), trained on the teacher's class distributions
    /// (KL at temperature 2) over the text of the rows the estimator is fitted on; no label column is needed.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="model">The teacher: a fine-tuned sentence classifier (<c>EncoderTextClassification</c> or <see cref="EncoderFineTuningTransformer.Load"/>).</param>
    /// <param name="studentLayerCount">Layers of the student.</param>
    public static ClassifierDistillationTrainer DistillClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        EncoderFineTuningTransformer model, int studentLayerCount = 3)
        => catalog.DistillClassifier(model, new ClassifierDistillationOptions { StudentLayerCount = studentLayerCount });

    /// <summary>Distils a fine-tuned classifier with every option of <see cref="ClassifierDistillationOptions"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or a student layer is out of range or repeated (the message names it and its value).</exception>
    /// <exception cref="ArgumentException">The model is not a sentence classifier or regressor, serves token pruning, or a given student's vocabulary, width or casing differs from the teacher's.</exception>
    public static ClassifierDistillationTrainer DistillClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        EncoderFineTuningTransformer model, ClassifierDistillationOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Create(CatalogEnvironment.Get(catalog), model, options);
    }

    /// <summary>Distils a fine-tuned regressor (<c>EncoderSentenceSimilarity</c>) with every option of <see cref="ClassifierDistillationOptions"/> (squared error to the teacher's value).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or a student layer is out of range or repeated (the message names it and its value).</exception>
    /// <exception cref="ArgumentException">The model is not a sentence classifier or regressor, serves token pruning, or a given student's vocabulary, width or casing differs from the teacher's.</exception>
    public static ClassifierDistillationTrainer DistillRegressor(this RegressionCatalog.RegressionTrainers catalog, EncoderFineTuningTransformer model,
        ClassifierDistillationOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Create(CatalogEnvironment.Get(catalog), model, options);
    }

    private static ClassifierDistillationTrainer Create(Microsoft.ML.Runtime.IHostEnvironment host, EncoderFineTuningTransformer model, ClassifierDistillationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        return new ClassifierDistillationTrainer(host, model, options);
    }
}
