using MLNetExt.Transforms.IO;
using Microsoft.ML;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Persistence;

namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// Writes and reads a swept model: ML.NET's own format when every part is stock, MLNetExt's pipeline file
/// (<c>SaveWithEncoders</c>, which also holds fine-tuned encoders) when a part of ours is inside. Reading tells them
/// apart by the file's manifest.
/// </summary>
public static class SweepModelFile
{
    /// <summary>Whether <paramref name="model"/> (or a chain inside it) holds a <see cref="TextEncoderTransformer"/>.</summary>
    public static bool HoldsEncoder(ITransformer model) =>
        model is TextEncoderTransformer || (model is IEnumerable<ITransformer> chain && chain.Any(HoldsEncoder));

    /// <summary>Whether <paramref name="model"/> (or a chain inside it) holds a fine-tuned encoder (<see cref="EncoderFineTuningTransformer"/>).</summary>
    public static bool HoldsFineTunedEncoder(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model is EncoderFineTuningTransformer || (model is IEnumerable<ITransformer> chain && chain.Any(HoldsFineTunedEncoder));
    }

    /// <summary>
    /// Whether <paramref name="model"/> (or a chain inside it) holds a transformer of ours that ML.NET's format cannot hold
    /// (one with a <see cref="PipelinePartAttribute"/>: an encoder, a fine-tuned encoder, a baseline classifier), so that
    /// it is written as a pipeline file and loaded with <c>LoadWithEncoders</c>.
    /// </summary>
    public static bool NeedsPipelineFile(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.GetType().GetCustomAttributes(typeof(PipelinePartAttribute), inherit: false).Length > 0
            || (model is IEnumerable<ITransformer> chain && chain.Any(NeedsPipelineFile));
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> (atomically).</summary>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        if (NeedsPipelineFile(model))
            mlContext.Model.SaveWithEncoders(model, inputSchema, path);
        else
            MLNetExt.Transforms.IO.AtomicFile.WriteStream(path, stream => mlContext.Model.Save(model, inputSchema, stream));
    }

    /// <summary>Reads a model written by <see cref="Save"/> (registering the pair-similarity mapping first).</summary>
    public static ITransformer Load(MLContext mlContext, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        mlContext.ComponentCatalog.RegisterAssembly(typeof(PairSimilarityFactory).Assembly);
        return TextModelFile.ReadKind(path) == TextModelFileKind.MLNetModel ? mlContext.Model.Load(path, out _) : mlContext.Model.LoadWithEncoders(path, out _);
    }
}
