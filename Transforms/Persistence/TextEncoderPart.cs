using System.Text.Json;
using System.Text.Json.Serialization;
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

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private sealed record Header(string Format, int Version, TextEncoderSettings Settings, string OnnxPath, string VocabularyPath);

    public void Write(ITransformer transformer, PipelinePartWriter writer)
    {
        var encoder = (TextEncoderTransformer)transformer;
        EncoderModel model = encoder.Model;
        var header = new Header(Format, Version, encoder.Settings, model.OnnxPath, model.VocabularyPath);
        writer.WriteEntry("settings.json", JsonSerializer.SerializeToUtf8Bytes(header, Json));
        writer.WriteEntry(EncoderConfig.FileName, System.Text.Encoding.UTF8.GetBytes(model.Config.ToJson()));
        writer.WriteEntry("model.onnx", model.ReadOnnxBytes(), compress: false);
        writer.WriteEntry("vocab.txt", model.ReadVocabularyText());
    }

    public ITransformer Read(PipelinePartReader reader)
    {
        string source = reader.Source, prefix = reader.Folder;
        byte[] headerBytes = reader.ReadEntry("settings.json");
        Header header;
        try
        {
            header = JsonSerializer.Deserialize<Header>(headerBytes, Json) ?? throw new JsonException("empty document");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: entry {prefix}settings.json is not a valid text-encoder header: {ex.Message}", ex);
        }
        if (header.Settings is null)
            throw new InvalidDataException($"{source}: entry {prefix}settings.json has no settings.");
        if (header.Format != Format)
            throw new InvalidDataException($"{source}: entry {prefix}settings.json has format '{header.Format}', expected '{Format}'.");
        if (header.Version > Version)
        {
            throw new InvalidDataException(
                $"{source}: the text encoder was saved in format version {header.Version}; this MLNetExt reads up to version {Version}. Update MLNetExt.");
        }

        string configPath = prefix + EncoderConfig.FileName;
        EncoderConfig config = ReadConfig(reader.ReadEntry(EncoderConfig.FileName), $"{source}:{configPath}");
        byte[] onnx = reader.ReadEntry("model.onnx");
        byte[] vocabulary = reader.ReadEntry("vocab.txt");
        // Messages about the graph or vocabulary name the file being loaded, not where the model lived when it was saved.
        EncoderModel model = EncoderModel.FromBytes(config, onnx, vocabulary, $"{source}:{prefix}model.onnx", $"{source}:{prefix}vocab.txt");
        return new TextEncoderTransformer(reader.Environment, header.Settings, model);
    }

    private static EncoderConfig ReadConfig(byte[] bytes, string name)
    {
        // EncoderConfig reads folders; give it a private one holding just this config.
        string folder = Path.Combine(Path.GetTempPath(), $"mlnetext-config-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllBytes(Path.Combine(folder, EncoderConfig.FileName), bytes);
            return EncoderConfig.Read(folder);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{name}: {ex.Message}", ex);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
