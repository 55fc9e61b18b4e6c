using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNetExt.Transforms.Persistence;

/// <summary>
/// One file holding a fitted pipeline that mixes MLNetExt transformers with stock ML.NET ones.
/// </summary>
/// <remarks>
/// A zip archive, format version 1:
/// <list type="bullet">
/// <item><c>manifest.json</c>: { "format": "mlnetext-pipeline", "version": 1, "parts": [ { "kind": "mlnet" | "text-encoder", "entry": name } ] }</item>
/// <item><c>input-schema.mlnet</c>: an empty ML.NET chain saved with the pipeline's input schema (ML.NET's own schema serialisation)</item>
/// <item>for each run of consecutive stock transformers, an ML.NET model file (<c>mlContext.Model.Save</c> of a <c>TransformerChain</c>)</item>
/// <item>for each MLNetExt transformer, a folder written by its part writer (<see cref="TextEncoderPart"/>)</item>
/// </list>
/// Loading rebuilds a <c>TransformerChain&lt;ITransformer&gt;</c> of the parts in order.
/// </remarks>
internal static class EncoderPipelineFile
{
    private const string Format = "mlnetext-pipeline";
    private const int Version = 1;
    private const string MlNetKind = "mlnet";
    private const string ManifestName = "manifest.json";
    private const string SchemaName = "input-schema.mlnet";

    private sealed record Part(string Kind, string Entry);

    private sealed record Manifest(string Format, int Version, List<Part> Parts);

    public static void Save(ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, Stream stream)
    {
        using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        var parts = new List<Part>();
        WriteMlNet(archive, SchemaName, catalog, new TransformerChain<ITransformer>(), inputSchema);

        DataViewSchema schema = inputSchema;
        var stock = new List<ITransformer>();
        DataViewSchema stockInput = schema;
        foreach (ITransformer transformer in Flatten(model))
        {
            if (transformer is TextEncoderTransformer encoder)
            {
                FlushStock();
                string prefix = $"part-{parts.Count}/";
                TextEncoderPart.Write(archive, prefix, encoder);
                parts.Add(new Part(TextEncoderPart.Kind, prefix));
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

        var manifest = new Manifest(Format, Version, parts);
        TextEncoderPart.WriteEntry(archive, ManifestName, JsonSerializer.SerializeToUtf8Bytes(manifest, new JsonSerializerOptions { WriteIndented = true }),
            CompressionLevel.Optimal);

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
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{source}: not a pipeline file written by SaveWithEncoders (expected a zip archive with {ManifestName}).", ex);
        }
        using (archive)
        {
            if (archive.GetEntry(ManifestName) is null)
            {
                throw new InvalidDataException(archive.GetEntry("Model/Model.key") is not null || archive.Entries.Any(e => e.FullName.StartsWith("TransformerChain", StringComparison.Ordinal))
                    ? $"{source}: this is an ML.NET model file; load it with mlContext.Model.Load."
                    : $"{source}: not a pipeline file written by SaveWithEncoders (no {ManifestName}).");
            }
            Manifest manifest;
            try
            {
                manifest = JsonSerializer.Deserialize<Manifest>(TextEncoderPart.ReadEntry(archive, ManifestName, source))
                    ?? throw new JsonException("empty document");
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{source}: {ManifestName} is not valid: {ex.Message}", ex);
            }
            if (manifest.Format != Format)
                throw new InvalidDataException($"{source}: {ManifestName} has format '{manifest.Format}', expected '{Format}'.");
            if (manifest.Version > Version)
                throw new InvalidDataException($"{source}: saved in pipeline format version {manifest.Version}; this MLNetExt reads up to version {Version}. Update MLNetExt.");

            ReadMlNet(archive, SchemaName, catalog, source, out inputSchema);
            var transformers = new List<ITransformer>();
            foreach (Part part in manifest.Parts)
            {
                transformers.Add(part.Kind switch
                {
                    MlNetKind => ReadMlNet(archive, part.Entry, catalog, source, out _),
                    TextEncoderPart.Kind => TextEncoderPart.Read(archive, part.Entry, environment, source),
                    _ => throw new InvalidDataException($"{source}: part '{part.Entry}' has unknown kind '{part.Kind}'; it was written by a newer MLNetExt."),
                });
            }
            return new TransformerChain<ITransformer>(transformers.ToArray());
        }
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

    private static void WriteMlNet(ZipArchive archive, string name, ModelOperationsCatalog catalog, ITransformer chain, DataViewSchema schema)
    {
        using var buffer = new MemoryStream();
        catalog.Save(chain, schema, buffer);
        TextEncoderPart.WriteEntry(archive, name, buffer.ToArray(), CompressionLevel.NoCompression);
    }

    private static ITransformer ReadMlNet(ZipArchive archive, string name, ModelOperationsCatalog catalog, string source, out DataViewSchema schema)
    {
        using var buffer = new MemoryStream(TextEncoderPart.ReadEntry(archive, name, source));
        return catalog.Load(buffer, out schema);
    }
}
