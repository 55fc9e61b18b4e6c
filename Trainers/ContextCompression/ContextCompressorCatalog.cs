using Microsoft.ML;
using MLNetExt.Trainers.ContextCompression;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt;

/// <summary>Catalog entry points of the context-compressor trainer.</summary>
public static class ContextCompressorCatalog
{
    /// <summary>
    /// Trains an ARC-style context compressor (pooled-query last layer and MLP projector over all-MiniLM-L6-v2 unless
    /// <paramref name="model"/> says otherwise) on query and document columns with a late-interaction contrastive loss;
    /// the fitted transformer compresses the document column.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="queryColumnName">The query text column.</param>
    /// <param name="documentColumnName">The relevant document's text column.</param>
    /// <param name="ratio">Word pieces per document vector: 1, 2, 4 or 8.</param>
    /// <param name="model">The encoder to start from; null for all-MiniLM-L6-v2.</param>
    /// <param name="batchSize">Pairs per step (in-batch negatives).</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="learningRate">Peak learning rate.</param>
    public static ContextCompressorTrainer TrainContextCompressor(this TransformsCatalog.TextTransforms catalog, string queryColumnName = "Query",
        string documentColumnName = "Document", int ratio = 4, EncoderModel? model = null, int batchSize = 32, int epochs = 1, double learningRate = 5e-5)
        => catalog.TrainContextCompressor(new ContextCompressorTrainingOptions
        {
            QueryColumnName = queryColumnName, DocumentColumnName = documentColumnName, Ratio = ratio, Model = model,
            Training = new TrainingOptions { BatchSize = batchSize, Epochs = epochs, LearningRate = learningRate },
        });

    /// <summary>Trains a context compressor with every option of <see cref="ContextCompressorTrainingOptions"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static ContextCompressorTrainer TrainContextCompressor(this TransformsCatalog.TextTransforms catalog, ContextCompressorTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new ContextCompressorTrainer(catalog, CatalogEnvironment.Get(catalog), options);
    }

    /// <summary>
    /// ARC-style reconstruction training as a measurement: a context compressor and a small decoder learn to rebuild texts
    /// from the compressed vectors; <see cref="ContextReconstructionTrainer.Train"/> reports held-out token accuracy.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static ContextReconstructionTrainer TrainContextReconstruction(this TransformsCatalog.TextTransforms catalog, ContextReconstructionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new ContextReconstructionTrainer(CatalogEnvironment.Get(catalog), options);
    }
}
