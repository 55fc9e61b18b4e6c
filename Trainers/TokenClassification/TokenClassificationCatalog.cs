using Microsoft.ML;
using MLNetExt.Trainers.TokenClassification;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt;

/// <summary>Catalog entry points of the token-classification (named-entity recognition) trainer.</summary>
public static class TokenClassificationCatalog
{
    /// <summary>
    /// Fine-tunes a pretrained encoder (all-MiniLM-L6-v2 unless the options say otherwise) to tag every word of a
    /// sentence, as ML.NET's <c>NamedEntityRecognition</c> does but offline: a text column of whitespace-separated words
    /// in, a key vector label (one tag per word, BIO tags) in; PredictedLabel, Score and Entities out.
    /// </summary>
    public static EncoderTokenClassificationTrainer EncoderNamedEntityRecognition(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string outputColumnName = "PredictedLabel", string sentenceColumnName = "Sentence",
        int batchSize = 32, int epochs = 3, double learningRate = 5e-5)
        => catalog.EncoderNamedEntityRecognition(new EncoderTokenClassificationOptions
        {
            LabelColumnName = labelColumnName, PredictedLabelColumnName = outputColumnName, SentenceColumnName = sentenceColumnName,
            Training = new TrainingOptions { BatchSize = batchSize, Epochs = epochs, LearningRate = learningRate },
        });

    /// <summary>Fine-tunes an encoder to tag every word of a sentence, with every option.</summary>
    public static EncoderTokenClassificationTrainer EncoderNamedEntityRecognition(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        EncoderTokenClassificationOptions options)
        => new(CatalogEnvironment.Get(catalog), options);
}
