using Microsoft.ML;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt;

/// <summary>Catalog entry points of encoder compression by distillation.</summary>
public static class EncoderDistillationCatalog
{
    /// <summary>
    /// Distils <paramref name="teacher"/> (all-MiniLM-L6-v2 when null) into a student made of
    /// <paramref name="studentLayerCount"/> of its layers, on the unlabelled text of <paramref name="textColumnName"/>.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="textColumnName">The text column (String).</param>
    /// <param name="studentLayerCount">Layers of the student, spread evenly over the teacher's.</param>
    /// <param name="teacher">The teacher; null for all-MiniLM-L6-v2.</param>
    /// <param name="epochs">Passes over the text.</param>
    public static EncoderDistillationTrainer DistillEncoder(this TransformsCatalog.TextTransforms catalog, string textColumnName = "Text",
        int studentLayerCount = 3, EncoderModel? teacher = null, int epochs = 1)
        => catalog.DistillEncoder(new EncoderDistillationOptions
        {
            TextColumnName = textColumnName, StudentLayerCount = studentLayerCount, Teacher = teacher,
            Training = new TrainingOptions { BatchSize = 32, Epochs = epochs, LearningRate = 1e-4 },
        });

    /// <summary>Distils an encoder with every option of <see cref="EncoderDistillationOptions"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it and its value).</exception>
    /// <exception cref="ArgumentException">A given student's vocabulary, width or casing differs from the teacher's.</exception>
    public static EncoderDistillationTrainer DistillEncoder(this TransformsCatalog.TextTransforms catalog, EncoderDistillationOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new EncoderDistillationTrainer(catalog, CatalogEnvironment.Get(catalog), options);
    }
}
