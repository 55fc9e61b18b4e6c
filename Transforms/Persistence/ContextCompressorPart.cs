using System.Text.Json;
using Microsoft.ML;

namespace MLNetExt.Transforms.Persistence;

/// <summary>Writes and reads one <see cref="CompressContextTransformer"/> inside a pipeline file.</summary>
/// <remarks>
/// Layout under the part's folder, format version 1:
/// <list type="bullet">
/// <item><c>settings.json</c>: { "format": "mlnetext-context-compressor", "version": 1, "settings": { columns, method, ratio, vector count, normalize, max tokens, truncate long text, prefix, batch size, sort window, threads, graph optimisation level, execution provider, fuse graph } }</item>
/// <item><c>config.json</c>, <c>model.onnx</c>, <c>vocab.txt</c>: the encoder, as <see cref="TextEncoderPart"/> stores it</item>
/// </list>
/// A reader refuses a newer version than it knows.
/// </remarks>
internal sealed class ContextCompressorPart : IPipelinePart
{
    private const string Format = "mlnetext-context-compressor";
    private const int Version = 1;

    private sealed record Header(string Format, int Version, CompressContextSettings Settings);

    public void Write(ITransformer transformer, PipelinePartWriter writer)
    {
        var compressor = (CompressContextTransformer)transformer;
        writer.WriteEntry("settings.json", JsonSerializer.SerializeToUtf8Bytes(new Header(Format, Version, compressor.Settings), EncoderModelEntries.Json));
        EncoderModelEntries.Write(compressor.Model, writer);
    }

    public ITransformer Read(PipelinePartReader reader)
    {
        Header header = EncoderModelEntries.ReadHeader<Header>(reader, Format, Version, "context compressor", h => h.Format, h => h.Version);
        if (header.Settings is null)
            throw new InvalidDataException($"{reader.Source}: entry {reader.Folder}settings.json has no settings.");
        return new CompressContextTransformer(reader.Environment, header.Settings, EncoderModelEntries.Read(reader));
    }
}
