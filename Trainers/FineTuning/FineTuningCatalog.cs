using Microsoft.ML;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt;

/// <summary>Catalog entry points of the encoder fine-tuning trainers.</summary>
public static class FineTuningCatalog
{
    /// <summary>
    /// Fine-tunes a pretrained encoder (all-MiniLM-L6-v2 unless the options say otherwise) to classify a sentence or a
    /// sentence pair. The label column must be a key (use <c>MapValueToKey</c>).
    /// </summary>
    public static EncoderFineTuningTrainer EncoderTextClassification(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string sentenceColumnName = "Sentence", string? secondSentenceColumnName = null,
        int batchSize = 32, int epochs = 3, double learningRate = 5e-5)
        => catalog.EncoderTextClassification(new EncoderFineTuningOptions
        {
            LabelColumnName = labelColumnName, SentenceColumnName = sentenceColumnName, SecondSentenceColumnName = secondSentenceColumnName,
            Training = new TrainingOptions { BatchSize = batchSize, Epochs = epochs, LearningRate = learningRate },
        });

    /// <summary>Fine-tunes an encoder to classify a sentence or a sentence pair, with every option.</summary>
    public static EncoderFineTuningTrainer EncoderTextClassification(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        EncoderFineTuningOptions options)
        => new(CatalogEnvironment.Get(catalog), options, FineTuningKind.Classification);

    /// <summary>
    /// Fine-tunes a pretrained encoder to predict a number from a sentence pair (STS-B similarity) or a sentence.
    /// The label column must be Single.
    /// </summary>
    public static EncoderFineTuningTrainer EncoderSentenceSimilarity(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string sentenceColumnName = "Sentence1", string? secondSentenceColumnName = "Sentence2",
        int batchSize = 32, int epochs = 3, double learningRate = 5e-5)
        => catalog.EncoderSentenceSimilarity(new EncoderFineTuningOptions
        {
            LabelColumnName = labelColumnName, SentenceColumnName = sentenceColumnName, SecondSentenceColumnName = secondSentenceColumnName,
            Training = new TrainingOptions { BatchSize = batchSize, Epochs = epochs, LearningRate = learningRate },
        });

    /// <summary>Fine-tunes an encoder to predict a number from a sentence pair or a sentence, with every option.</summary>
    public static EncoderFineTuningTrainer EncoderSentenceSimilarity(this RegressionCatalog.RegressionTrainers catalog, EncoderFineTuningOptions options)
        => new(CatalogEnvironment.Get(catalog), options, FineTuningKind.Regression);
}
