using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNetExt.Transforms.Persistence;

/// <summary>
/// One file holding a fitted pipeline that mixes MLNetExt transformers with stock ML.NET ones.
/// </summary>
/// <remarks>
/// A zip archive, format version 2:
/// <list type="bullet">
/// <item><c>manifest.json</c>: { "format": "mlnetext-pipeline", "version": 1 or 2, "parts": [ { "kind": "mlnet" | "text-encoder" | "extension", "entry": name, "type": part type (extension only) } ],
/// "sha256": { entry name: lower-case hex SHA-256 of its contents, for every other entry of the archive } }</item>
/// <item><c>input-schema.mlnet</c>: an empty ML.NET chain saved with the pipeline's input schema (ML.NET's own schema serialisation)</item>
/// <item>for each run of consecutive stock transformers, an ML.NET model file (<c>mlContext.Model.Save</c> of a <c>TransformerChain</c>)</item>
/// <item>for each MLNetExt transformer, a folder <c>part-N/</c> written by the <see cref="IPipelinePart"/> its class names with
/// <see cref="PipelinePartAttribute"/>: kind "text-encoder" for <see cref="TextEncoderPart"/>, kind "extension" for a part
/// from another assembly, whose "type" is "Namespace.Class, AssemblyName" (no version, so newer builds still load it)</item>
/// </list>
/// Version 2 added the "extension" kind and the "type" field; a file without extension parts is still written as
/// version 1, so older MLNetExt versions read it. The "sha256" map came later without a version change (older readers
/// ignore it): loading checks each entry against it as the entry is read, and refuses an entry that is missing, not
/// listed or different (.NET's <c>ZipArchive</c> does not check the zip's own CRC-32 on read). A file without the map
/// loads unchecked, with a log line saying so. Loading rebuilds a <c>TransformerChain&lt;ITransformer&gt;</c> of the
/// parts in order; every error is an <see cref="InvalidDataException"/> naming the file being loaded.
/// </remarks>
internal static class EncoderPipelineFile
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    private const string Format = "mlnetext-pipeline";
    private const int Version = 2;
    private const int VersionWithoutExtensions = 1;
    private const string MlNetKind = "mlnet";
    private const string TextEncoderKind = "text-encoder";
    private const string ExtensionKind = "extension";
    private const string ManifestName = "manifest.json";
    private const string SchemaName = "input-schema.mlnet";

    private sealed record Part(string Kind, string Entry, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Type = null);

    private sealed record Manifest(string Format, int Version, List<Part> Parts,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SortedDictionary<string, string>? Sha256 = null);

    public static void Save(ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, Stream stream)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        var archive = new PipelineArchiveWriter(zip);
        var parts = new List<Part>();
        WriteMlNet(archive, SchemaName, catalog, new TransformerChain<ITransformer>(), inputSchema);

        DataViewSchema schema = inputSchema;
        var stock = new List<ITransformer>();
        DataViewSchema stockInput = schema;
        foreach (ITransformer transformer in Flatten(model))
        {
            if (PartOf(transformer) is { } part)
            {
                FlushStock();
                string prefix = $"part-{parts.Count}/";
                part.Write(transformer, new PipelinePartWriter(archive, prefix));
                parts.Add(part is TextEncoderPart ? new Part(TextEncoderKind, prefix) : new Part(ExtensionKind, prefix, TypeName(part.GetType())));
            }
            else
            {
                if (stock.Count == 0)
                    stockInput = schema;
                stock.Add(transformer);
            }
            schema = transformer.GetOutputSchema(schema);
        }
        FlushStock();

        var manifest = new Manifest(Format, parts.Any(p => p.Type is not null) ? Version : VersionWithoutExtensions, parts,
            new SortedDictionary<string, string>(archive.Hashes, StringComparer.Ordinal));
        using Stream manifestStream = zip.CreateEntry(ManifestName, CompressionLevel.Optimal).Open();
        manifestStream.Write(JsonSerializer.SerializeToUtf8Bytes(manifest, s_indented));

        void FlushStock()
        {
            if (stock.Count == 0)
                return;
            string name = $"part-{parts.Count}.mlnet";
            WriteMlNet(archive, name, catalog, new TransformerChain<ITransformer>(stock.ToArray()), stockInput);
            parts.Add(new Part(MlNetKind, name));
            stock.Clear();
        }
    }

    public static ITransformer Load(ModelOperationsCatalog catalog, IHostEnvironment environment, Stream stream, string source, out DataViewSchema inputSchema)
    {
        try
        {
            return LoadArchive(catalog, environment, stream, source, out inputSchema);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or ArgumentException or JsonException
            && !ex.Message.StartsWith(source, StringComparison.Ordinal))
        {
            // Whatever went wrong, the message names the file the caller passed.
            throw new InvalidDataException($"{source}: the pipeline file could not be read: {ex.Message}", ex);
        }
    }

    private static TransformerChain<ITransformer> LoadArchive(ModelOperationsCatalog catalog, IHostEnvironment environment, Stream stream, string source, out DataViewSchema inputSchema)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{source}: not a pipeline file written by SaveWithEncoders (expected a zip archive with {ManifestName}).", ex);
        }
        using (zip)
        {
            if (zip.GetEntry(ManifestName) is null)
            {
                throw new InvalidDataException(zip.GetEntry("Model/Model.key") is not null || zip.Entries.Any(e => e.FullName.StartsWith("TransformerChain", StringComparison.Ordinal))
                    ? $"{source}: this is an ML.NET model file; load it with mlContext.Model.Load."
                    : $"{source}: not a pipeline file written by SaveWithEncoders (no {ManifestName}).");
            }
            Manifest manifest = ReadManifest(new PipelineArchiveReader(zip, source, null, ManifestName), source);
            CheckEveryEntryBelongsToAPart(zip, manifest, source);
            var archive = new PipelineArchiveReader(zip, source, manifest.Sha256, ManifestName);
            if (!archive.Verifies)
            {
                using IChannel channel = environment.Start("LoadWithEncoders");
                channel.Info(MessageSensitivity.None,
                    $"{source}: saved before pipeline files recorded entry hashes; its entries are loaded without an integrity check. Save it again to add them.");
            }

            inputSchema = ReadSchema(archive, catalog);
            var transformers = new List<ITransformer>();
            foreach (Part part in manifest.Parts)
            {
                transformers.Add(part.Kind switch
                {
                    MlNetKind => ReadMlNet(archive, part.Entry, catalog, out _),
                    TextEncoderKind => new TextEncoderPart().Read(new PipelinePartReader(archive, part.Entry, environment)),
                    ExtensionKind => CreatePart(part, source).Read(new PipelinePartReader(archive, part.Entry, environment)),
                    _ => throw new InvalidDataException($"{source}: part '{part.Entry}' has unknown kind '{part.Kind}'; it was written by a newer MLNetExt."),
                });
            }
            archive.CheckUnread();
            return new TransformerChain<ITransformer>(transformers.ToArray());
        }
    }

    private static Manifest ReadManifest(PipelineArchiveReader archive, string source)
    {
        Manifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<Manifest>(archive.Read(ManifestName)) ?? throw new JsonException("empty document");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: {ManifestName} is not valid: {ex.Message}", ex);
        }
        if (manifest.Format != Format)
            throw new InvalidDataException($"{source}: {ManifestName} has format '{manifest.Format}', expected '{Format}'.");
        if (manifest.Version > Version)
            throw new InvalidDataException($"{source}: saved in pipeline format version {manifest.Version}; this MLNetExt reads up to version {Version}. Update MLNetExt.");
        if (manifest.Parts is null || manifest.Parts.Any(p => p is null || string.IsNullOrEmpty(p.Entry) || string.IsNullOrEmpty(p.Kind)))
            throw new InvalidDataException($"{source}: {ManifestName} lists a part without a kind or an entry.");
        return manifest;
    }

    /// <summary>Refuses entries no listed part reads: a manifest edited to drop a part must not load a shorter pipeline.</summary>
    private static void CheckEveryEntryBelongsToAPart(ZipArchive zip, Manifest manifest, string source)
    {
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            string name = entry.FullName;
            bool claimed = name is ManifestName or SchemaName || manifest.Parts.Any(p => p.Kind == MlNetKind
                ? p.Entry == name
                : p.Entry.EndsWith('/') && name.StartsWith(p.Entry, StringComparison.Ordinal));
            if (!claimed)
                throw new InvalidDataException($"{source}: entry '{name}' belongs to no part listed in {ManifestName}; the file was altered after it was saved.");
        }
    }

    /// <summary>The part that saves <paramref name="transformer"/>, or null for a stock ML.NET transformer.</summary>
    private static IPipelinePart? PartOf(ITransformer transformer)
    {
        Type type = transformer.GetType();
        if (type.GetCustomAttribute<PipelinePartAttribute>() is not { } attribute)
            return null;
        if (!typeof(IPipelinePart).IsAssignableFrom(attribute.PartType) || attribute.PartType.IsAbstract)
            throw new InvalidOperationException($"{type.FullName} names {attribute.PartType.FullName} as its pipeline part, which is not a class implementing {nameof(IPipelinePart)}.");
        return (IPipelinePart)Activator.CreateInstance(attribute.PartType, nonPublic: true)!;
    }

    private static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    /// <summary>Creates the part named in the manifest; resolving its type loads the assembly that holds it.</summary>
    private static IPipelinePart CreatePart(Part part, string source)
    {
        if (string.IsNullOrEmpty(part.Type))
            throw new InvalidDataException($"{source}: part '{part.Entry}' of kind '{ExtensionKind}' names no type.");
        Type? type;
        try
        {
            type = Type.GetType(part.Type, throwOnError: false);
        }
        catch (Exception ex) when (ex is FileLoadException or BadImageFormatException or ArgumentException)
        {
            throw new InvalidDataException($"{source}: part '{part.Entry}' is read by '{part.Type}', which could not be loaded: {ex.Message}", ex);
        }
        if (type is null)
        {
            string assembly = part.Type[(part.Type.IndexOf(',', StringComparison.Ordinal) + 1)..].Trim();
            throw new InvalidDataException(
                $"{source}: part '{part.Entry}' is read by '{part.Type}', which was not found. Reference the {assembly} package from the application that loads this file.");
        }
        if (!typeof(IPipelinePart).IsAssignableFrom(type) || type.IsAbstract)
            throw new InvalidDataException($"{source}: part '{part.Entry}' names '{part.Type}', which is not an {nameof(IPipelinePart)}.");
        return (IPipelinePart)Activator.CreateInstance(type, nonPublic: true)!;
    }

    /// <summary>The transformers of a model in order, with nested chains opened up.</summary>
    internal static IEnumerable<ITransformer> Flatten(ITransformer model)
    {
        if (model.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(TransformerChain<>))
        {
            foreach (ITransformer inner in (IEnumerable<ITransformer>)model)
            {
                foreach (ITransformer leaf in Flatten(inner))
                    yield return leaf;
            }
        }
        else
        {
            yield return model;
        }
    }

    private static void WriteMlNet(PipelineArchiveWriter archive, string name, ModelOperationsCatalog catalog, ITransformer chain, DataViewSchema schema)
    {
        using var buffer = new MemoryStream();
        catalog.Save(chain, schema, buffer);
        archive.Write(name, buffer.GetBuffer().AsSpan(0, (int)buffer.Length), CompressionLevel.NoCompression);
    }

    private static DataViewSchema ReadSchema(PipelineArchiveReader archive, ModelOperationsCatalog catalog)
    {
        ReadMlNet(archive, SchemaName, catalog, out DataViewSchema schema);
        return schema;
    }

    /// <summary>Loads an ML.NET model entry; whatever ML.NET throws for it becomes an error naming the file and the entry.</summary>
    private static ITransformer ReadMlNet(PipelineArchiveReader archive, string name, ModelOperationsCatalog catalog, out DataViewSchema schema)
    {
        using var buffer = new MemoryStream(archive.Read(name), writable: false);
        try
        {
            return catalog.Load(buffer, out schema);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
        {
            throw archive.Damaged(name, $"could not be loaded by ML.NET ({ex.GetType().Name}: {ex.Message})", ex);
        }
    }
}
