using System.Text.Json;
using Microsoft.ML;

namespace MLNetExt.Transforms.Persistence;

/// <summary>Writes and reads one <see cref="CompressContextTransformer"/> inside a pipeline file.</summary>
/// <remarks>
/// Layout under the part's folder, format version 1:
/// <list type="bullet">
/// <item><c>settings.json</c>: { "format": "mlnetext-context-compressor", "version": 1, "settings": { columns, method, ratio, vector count, normalize, max tokens, truncate long text, prefix, batch size, sort window, threads, graph optimisation level, execution provider, fuse graph } }</item>
/// <item><c>config.json</c>, <c>model.onnx</c>, <c>vocab.txt</c>: the encoder, as <see cref="TextEncoderPart"/> stores it</item>
/// <item>version 2, learned method only: <c>compressor.onnx</c> and <c>compressor.json</c>, as <see cref="LearnedContextCompressor.Save"/> writes them</item>
/// </list>
/// A reader refuses a newer version than it knows.
/// </remarks>
internal sealed class ContextCompressorPart : IPipelinePart
{
    private const string Format = "mlnetext-context-compressor";
    private const int Version = 2;

    private sealed record Header(string Format, int Version, CompressContextSettings Settings);

    public void Write(ITransformer transformer, PipelinePartWriter writer)
    {
        var compressor = (CompressContextTransformer)transformer;
        writer.WriteEntry("settings.json", JsonSerializer.SerializeToUtf8Bytes(new Header(Format, Version, compressor.Settings), EncoderModelEntries.Json));
        EncoderModelEntries.Write(compressor.Model, writer);
        if (compressor.Compressor is { } learned)
        {
            writer.WriteEntry(LearnedContextCompressor.GraphFileName, learned.GraphBytes, compress: false);
            writer.WriteEntry(LearnedContextCompressor.InfoFileName, learned.InfoBytes());
        }
    }

    public ITransformer Read(PipelinePartReader reader)
    {
        Header header = EncoderModelEntries.ReadHeader<Header>(reader, Format, Version, "context compressor", h => h.Format, h => h.Version);
        if (header.Settings is null)
            throw new InvalidDataException($"{reader.Source}: entry {reader.Folder}settings.json has no settings.");
        EncoderModel model = EncoderModelEntries.Read(reader);
        if (header.Settings.Method != ContextCompressionMethod.Learned)
            return new CompressContextTransformer(reader.Environment, header.Settings, model);
        string source = $"{reader.Source}:{reader.Folder}";
        int? trainedRatio = LearnedContextCompressor.ReadInfo(reader.ReadEntry(LearnedContextCompressor.InfoFileName), source + LearnedContextCompressor.InfoFileName, model.Config.HiddenSize);
        using LearnedContextCompressor learned = LearnedContextCompressor.Create(model, reader.ReadEntry(LearnedContextCompressor.GraphFileName), trainedRatio, source);
        return new CompressContextTransformer(reader.Environment, header.Settings, model, learned);
    }
}
