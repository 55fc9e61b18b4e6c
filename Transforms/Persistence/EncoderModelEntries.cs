using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNetExt.Transforms.Persistence;

/// <summary>
/// The files of an encoder model inside a pipeline part, shared by every encoder component's part: <c>config.json</c>
/// (the model's <see cref="EncoderConfig"/>), <c>model.onnx</c> (its own graph, stored uncompressed) and
/// <c>vocab.txt</c>; and the versioned <c>settings.json</c> header each part writes beside them.
/// </summary>
internal static class EncoderModelEntries
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Writes config.json, model.onnx and vocab.txt.</summary>
    public static void Write(EncoderModel model, PipelinePartWriter writer)
    {
        writer.WriteEntry(EncoderConfig.FileName, System.Text.Encoding.UTF8.GetBytes(model.Config.ToJson()));
        writer.WriteEntry("model.onnx", model.ReadOnnxBytes(), compress: false);
        writer.WriteEntry("vocab.txt", model.ReadVocabularyText());
    }

    /// <summary>Reads back what <see cref="Write"/> wrote; messages name the file being loaded.</summary>
    /// <exception cref="InvalidDataException">An entry is missing or damaged.</exception>
    public static EncoderModel Read(PipelinePartReader reader)
    {
        string source = reader.Source, prefix = reader.Folder;
        EncoderConfig config = ReadConfig(reader.ReadEntry(EncoderConfig.FileName), $"{source}:{prefix}{EncoderConfig.FileName}");
        byte[] onnx = reader.ReadEntry("model.onnx");
        byte[] vocabulary = reader.ReadEntry("vocab.txt");
        return EncoderModel.FromBytes(config, onnx, vocabulary, $"{source}:{prefix}model.onnx", $"{source}:{prefix}vocab.txt");
    }

    /// <summary>
    /// Reads <c>settings.json</c> as <typeparamref name="THeader"/> and checks its format name and version.
    /// </summary>
    /// <exception cref="InvalidDataException">The entry is not valid JSON, has another format, or a newer version than <paramref name="version"/>.</exception>
    public static THeader ReadHeader<THeader>(PipelinePartReader reader, string format, int version, string what,
        Func<THeader, string> formatOf, Func<THeader, int> versionOf) where THeader : class
    {
        string source = reader.Source, prefix = reader.Folder;
        THeader header;
        try
        {
            header = JsonSerializer.Deserialize<THeader>(reader.ReadEntry("settings.json"), Json) ?? throw new JsonException("empty document");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: entry {prefix}settings.json is not a valid {what} header: {ex.Message}", ex);
        }
        if (formatOf(header) != format)
            throw new InvalidDataException($"{source}: entry {prefix}settings.json has format '{formatOf(header)}', expected '{format}'.");
        if (versionOf(header) > version)
        {
            throw new InvalidDataException(
                $"{source}: the {what} was saved in format version {versionOf(header)}; this MLNetExt reads up to version {version}. Update MLNetExt.");
        }
        return header;
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
