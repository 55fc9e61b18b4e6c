using Microsoft.ML;
using MLNetExt.Transforms.Persistence;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>
/// Saves an <see cref="EncoderFineTuningTransformer"/> inside a <c>SaveWithEncoders</c> pipeline file and reads it
/// back: the part's folder holds the same three files as the transformer's own zip (<c>model.onnx</c> stored
/// uncompressed, <c>vocab.txt</c>, <c>fine_tuning.json</c>).
/// </summary>
internal sealed class FineTunedModelPart : IPipelinePart
{
    public void Write(ITransformer transformer, PipelinePartWriter writer) =>
        ((EncoderFineTuningTransformer)transformer).WriteEntries((name, bytes, compress) => writer.WriteEntry(name, bytes, compress));

    public ITransformer Read(PipelinePartReader reader) =>
        EncoderFineTuningTransformer.ReadEntries(reader.Environment, reader.ReadEntry, $"{reader.Source}:{reader.Folder}");
}
