using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Trainers.FineTuning;

namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// A swept model that holds a fine-tuned encoder (<see cref="EncoderFineTuningTransformer"/>), which neither ML.NET's
/// model file nor (yet) the <c>SaveWithEncoders</c> pipeline file can hold: each fine-tuned part is stored the way it
/// saves itself, the stock parts between them in ML.NET's format.
/// </summary>
/// <remarks>
/// A zip archive, format version 1:
/// <list type="bullet">
/// <item><c>sweep-model.json</c>: { "Format": "mlnetext-sweep-fine-tuned", "Version": 1, "Parts": [ { "Kind": "fine-tuned" | "mlnet", "Entry": name } ] }</item>
/// <item><c>part-N.zip</c>: a fine-tuned transformer as <see cref="EncoderFineTuningTransformer.Save"/> writes it</item>
/// <item><c>part-N.mlnet</c>: consecutive stock transformers as an ML.NET model file, saved with the schema they read</item>
/// </list>
/// Loading rebuilds a <c>TransformerChain&lt;ITransformer&gt;</c> of the parts in order.
/// </remarks>
internal static class FineTunedSweepModelFile
{
    public const string ManifestName = "sweep-model.json";
    private const string Format = "mlnetext-sweep-fine-tuned";
    private const int Version = 1;
    private const string FineTunedKind = "fine-tuned";
    private const string MlNetKind = "mlnet";

    private sealed record Part(string Kind, string Entry);

    private sealed record Manifest(string Format, int Version, List<Part> Parts);

    public static bool Holds(ITransformer model) => Flatten(model).Any(t => t is EncoderFineTuningTransformer);

    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string path)
    {
        using (var stream = new FileStream(path, FileMode.Create))
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create))
        {
            var parts = new List<Part>();
            var stock = new List<ITransformer>();
            DataViewSchema schema = inputSchema, stockInput = inputSchema;
            foreach (ITransformer transformer in Flatten(model))
            {
                if (transformer is EncoderFineTuningTransformer fineTuned)
                {
                    FlushStock();
                    string entry = $"part-{parts.Count}.zip";
                    string temp = Path.Combine(Path.GetTempPath(), $"mlnetext-fine-tuned-{Guid.NewGuid():N}.zip");
                    try
                    {
                        fineTuned.Save(temp);
                        archive.CreateEntryFromFile(temp, entry, CompressionLevel.NoCompression);
                    }
                    finally
                    {
                        File.Delete(temp);
                    }
                    parts.Add(new Part(FineTunedKind, entry));
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
            using Stream manifest = archive.CreateEntry(ManifestName).Open();
            JsonSerializer.Serialize(manifest, new Manifest(Format, Version, parts), new JsonSerializerOptions { WriteIndented = true });

            void FlushStock()
            {
                if (stock.Count == 0)
                    return;
                string entry = $"part-{parts.Count}.mlnet";
                using (Stream part = archive.CreateEntry(entry, CompressionLevel.NoCompression).Open())
                    mlContext.Model.Save(new TransformerChain<ITransformer>(stock.ToArray()), stockInput, part);
                parts.Add(new Part(MlNetKind, entry));
                stock.Clear();
            }
        }
    }

    public static ITransformer Load(MLContext mlContext, ZipArchive archive, string path)
    {
        Manifest manifest;
        try
        {
            using Stream stream = archive.GetEntry(ManifestName)!.Open();
            manifest = JsonSerializer.Deserialize<Manifest>(stream) ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {ManifestName} is not valid: {e.Message}", e);
        }
        if (manifest.Format != Format)
            throw new InvalidDataException($"{path}: {ManifestName} has format '{manifest.Format}', expected '{Format}'.");
        if (manifest.Version > Version)
            throw new InvalidDataException($"{path}: saved in sweep model format version {manifest.Version}; this MLNetExt reads up to version {Version}. Update MLNetExt.");
        var transformers = new List<ITransformer>();
        foreach (Part part in manifest.Parts)
        {
            ZipArchiveEntry entry = archive.GetEntry(part.Entry)
                ?? throw new InvalidDataException($"{path}: {ManifestName} names the part '{part.Entry}', which the file does not hold.");
            transformers.Add(part.Kind switch
            {
                FineTunedKind => LoadFineTuned(mlContext, entry),
                MlNetKind => LoadMlNet(mlContext, entry),
                _ => throw new InvalidDataException($"{path}: part '{part.Entry}' has unknown kind '{part.Kind}'; it was written by a newer MLNetExt."),
            });
        }
        return new TransformerChain<ITransformer>(transformers.ToArray());
    }

    private static ITransformer LoadFineTuned(MLContext mlContext, ZipArchiveEntry entry)
    {
        // The fine-tuned transformer reads its own file by path (and holds nothing open afterwards).
        string temp = Path.Combine(Path.GetTempPath(), $"mlnetext-fine-tuned-{Guid.NewGuid():N}.zip");
        try
        {
            entry.ExtractToFile(temp);
            return EncoderFineTuningTransformer.Load(mlContext, temp);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static ITransformer LoadMlNet(MLContext mlContext, ZipArchiveEntry entry)
    {
        using var buffer = new MemoryStream();
        using (Stream stream = entry.Open())
            stream.CopyTo(buffer);
        buffer.Position = 0;
        return mlContext.Model.Load(buffer, out _);
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [model];
}
