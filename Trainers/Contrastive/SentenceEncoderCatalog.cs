using Microsoft.ML;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt;

/// <summary>Catalog entry points of the sentence-encoder trainers.</summary>
public static class SentenceEncoderCatalog
{
    /// <summary>
    /// Trains a sentence encoder (all-MiniLM-L6-v2 unless <paramref name="model"/> says otherwise) with
    /// <paramref name="loss"/> on the given text columns; the fitted transformer encodes the first of them.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="loss">The loss, e.g. <c>new MultipleNegativesRankingLoss()</c> or <c>new CoSentLoss()</c>.</param>
    /// <param name="textColumnNames">Text columns in the loss's order (anchor, positive[, negatives]; first, second; or one text).</param>
    /// <param name="scoreColumnName">Score column of scored-pair losses.</param>
    /// <param name="model">The encoder to start from; null for all-MiniLM-L6-v2.</param>
    /// <param name="batchSize">Rows per step.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="learningRate">Peak learning rate.</param>
    public static SentenceEncoderTrainer TrainSentenceEncoder(this TransformsCatalog.TextTransforms catalog, SentenceEmbeddingLoss loss,
        IReadOnlyList<string> textColumnNames, string scoreColumnName = "Score", EncoderModel? model = null,
        int batchSize = 32, int epochs = 1, double learningRate = 2e-5)
        => catalog.TrainSentenceEncoder(new SentenceEncoderTrainingOptions
        {
            Loss = loss, TextColumnNames = textColumnNames, TargetColumnName = scoreColumnName, Model = model,
            Training = new TrainingOptions { BatchSize = batchSize, Epochs = epochs, LearningRate = learningRate },
        });

    /// <summary>Trains a sentence encoder with every option of <see cref="SentenceEncoderTrainingOptions"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range or inconsistent with the loss (the message names it).</exception>
    public static SentenceEncoderTrainer TrainSentenceEncoder(this TransformsCatalog.TextTransforms catalog, SentenceEncoderTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new SentenceEncoderTrainer(catalog, CatalogEnvironment.Get(catalog), options);
    }
}
