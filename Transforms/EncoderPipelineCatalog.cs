using MLNetExt.Transforms.IO;
using Microsoft.ML;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Persistence;

namespace MLNetExt;

/// <summary>
/// Saving and loading fitted pipelines that contain MLNetExt transformers (e.g. <see cref="TextEncoderTransformer"/>)
/// next to stock ML.NET ones, in one file with all weights inside.
/// </summary>
/// <remarks>
/// ML.NET's model file cannot hold transformers from other assemblies (its save/load contexts are internal), so
/// <c>mlContext.Model.Save</c> on such a pipeline throws. These verbs write a zip holding the stock parts in ML.NET's
/// own format and ours in a versioned MLNetExt format (ONNX graph and vocabulary included: the loaded model needs no
/// cache folder). A pipeline of stock transformers only round-trips too. Transformers from assemblies above this one
/// (the fine-tuned encoders of MLNetExt.Trainers, for instance) take part through
/// <see cref="Transforms.Persistence.IPipelinePart"/>; loading such a file needs that assembly, and says which one when
/// it is missing.
/// </remarks>
public static class EncoderPipelineCatalog
{
    /// <summary>Saves a fitted pipeline (any mix of MLNetExt and ML.NET transformers) to a file, atomically.</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="inputSchema">The schema of the data the pipeline was fitted on.</param>
    /// <param name="filePath">Where to write; an existing file is replaced only once the new one is complete.</param>
    public static void SaveWithEncoders(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string filePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        AtomicFile.WriteStream(filePath, stream => SaveWithEncoders(catalog, model, inputSchema, stream));
    }

    /// <summary>Saves a fitted pipeline (any mix of MLNetExt and ML.NET transformers) to a stream.</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="inputSchema">The schema of the data the pipeline was fitted on.</param>
    /// <param name="stream">A writable stream; left open.</param>
    public static void SaveWithEncoders(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(stream);
        EncoderPipelineFile.Save(catalog, model, inputSchema, stream);
    }

    /// <summary>Loads a pipeline written by <c>SaveWithEncoders</c>.</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="filePath">The file.</param>
    /// <param name="inputSchema">The schema the pipeline was fitted on.</param>
    /// <exception cref="InvalidDataException">The file is not such a pipeline file, or is damaged; the message names it.</exception>
    public static ITransformer LoadWithEncoders(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        using var stream = File.OpenRead(filePath);
        return EncoderPipelineFile.Load(catalog, EnvironmentOf(catalog), stream, filePath, out inputSchema);
    }

    /// <summary>Loads a pipeline written by <c>SaveWithEncoders</c> from a stream.</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="stream">A readable, seekable stream; left open.</param>
    /// <param name="inputSchema">The schema the pipeline was fitted on.</param>
    /// <exception cref="InvalidDataException">The stream does not hold such a pipeline, or it is damaged.</exception>
    public static ITransformer LoadWithEncoders(this ModelOperationsCatalog catalog, Stream stream, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return EncoderPipelineFile.Load(catalog, EnvironmentOf(catalog), stream, "(stream)", out inputSchema);
    }

    private static Microsoft.ML.Runtime.IHostEnvironment EnvironmentOf(ModelOperationsCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return CatalogEnvironment.Get(catalog);
    }
}
