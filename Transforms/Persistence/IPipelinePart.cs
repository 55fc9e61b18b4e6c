using Microsoft.ML;

namespace MLNetExt.Transforms.Persistence;

/// <summary>
/// Saves and loads one kind of transformer inside a pipeline file written by <c>mlContext.Model.SaveWithEncoders</c>.
/// </summary>
/// <remarks>
/// This is how assemblies above MLNetExt.Transforms (MLNetExt.Trainers, for instance) put their transformers into the
/// same file as the stock ML.NET parts: the transformer class names its part with <see cref="PipelinePartAttribute"/>,
/// the file records the part's type name, and loading creates the part from that name (which loads its assembly).
/// An implementation needs a parameterless constructor (it may be internal) and keeps no state between calls.
/// </remarks>
public interface IPipelinePart
{
    /// <summary>Writes <paramref name="transformer"/> (an instance of the class carrying the attribute) as files of the part.</summary>
    void Write(ITransformer transformer, PipelinePartWriter writer);

    /// <summary>Reads back what <see cref="Write"/> wrote.</summary>
    /// <exception cref="InvalidDataException">A file is missing or damaged; the message names <see cref="PipelinePartReader.Source"/>.</exception>
    ITransformer Read(PipelinePartReader reader);
}
