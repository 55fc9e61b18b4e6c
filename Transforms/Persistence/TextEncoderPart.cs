using System.Text.Json;
using Microsoft.ML;

namespace MLNetExt.Transforms.Persistence;

/// <summary>
/// Writes and reads one <see cref="TextEncoderTransformer"/> inside a pipeline file.
/// </summary>
/// <remarks>
/// Layout under the part's folder <c>&lt;prefix&gt;/</c>, format version 1:
/// <list type="bullet">
/// <item><c>settings.json</c>: { "format": "mlnetext-text-encoder", "version": 1, "settings": { columns, pooling, normalize, max tokens, prefix, batch size, sort window, threads, graph optimisation level, execution provider, fuse graph (absent: true) } }</item>
/// <item><c>config.json</c>: the model's <see cref="EncoderConfig"/> (Hugging Face config.json with the "mlnetext" section)</item>
/// <item><c>model.onnx</c>: the model's own ONNX graph, stored uncompressed (never the fused one: with fuse graph on, loading fuses it again, which gives the same graph)</item>
/// <item><c>vocab.txt</c>: the WordPiece vocabulary, one token per line in id order</item>
/// </list>
/// A reader refuses a newer version than it knows.
/// </remarks>
internal sealed class TextEncoderPart : IPipelinePart
{
    private const string Format = "mlnetext-text-encoder";
    private const int Version = 1;

    private sealed record Header(string Format, int Version, TextEncoderSettings Settings, string OnnxPath, string VocabularyPath);

    public void Write(ITransformer transformer, PipelinePartWriter writer)
    {
        var encoder = (TextEncoderTransformer)transformer;
        EncoderModel model = encoder.Model;
        var header = new Header(Format, Version, encoder.Settings, model.OnnxPath, model.VocabularyPath);
        writer.WriteEntry("settings.json", JsonSerializer.SerializeToUtf8Bytes(header, EncoderModelEntries.Json));
        EncoderModelEntries.Write(model, writer);
    }

    public ITransformer Read(PipelinePartReader reader)
    {
        Header header = EncoderModelEntries.ReadHeader<Header>(reader, Format, Version, "text-encoder", h => h.Format, h => h.Version);
        if (header.Settings is null)
            throw new InvalidDataException($"{reader.Source}: entry {reader.Folder}settings.json has no settings.");
        // Messages about the graph or vocabulary name the file being loaded, not where the model lived when it was saved.
        return new TextEncoderTransformer(reader.Environment, header.Settings, EncoderModelEntries.Read(reader));
    }
}
