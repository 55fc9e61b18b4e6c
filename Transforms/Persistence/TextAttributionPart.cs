using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms.Attribution;

namespace MLNetExt.Transforms.Persistence;

/// <summary>Writes and reads one <see cref="TextAttributionTransformer"/> inside a pipeline file.</summary>
/// <remarks>
/// Layout under the part's folder, format version 1:
/// <list type="bullet">
/// <item><c>attribution.json</c>: { "format": "mlnetext-text-attribution", "version": 1, columns, target kind and class,
/// baseline kind, unknown token, sampler minimum count, "methodType": "Namespace.Class, Assembly" of the method's
/// options, "method": those options as JSON }</item>
/// <item><c>explained-model.zip</c>: the explained pipeline, as <c>SaveWithEncoders</c> writes it, with an input schema of
/// the text column(s) only</item>
/// <item><c>sampler.tsv</c> (sampled-word baseline only): word TAB count per line, UTF-8</item>
/// </list>
/// The method's options type is resolved by name when loading (which loads its assembly, e.g. MLNetExt.Trainers for
/// integrated gradients), like extension pipeline parts. A reader refuses a newer version than it knows.
/// </remarks>
internal sealed class TextAttributionPart : IPipelinePart
{
    private const string Format = "mlnetext-text-attribution";
    private const int Version = 1;
    private const string HeaderEntry = "attribution.json";
    private const string ModelEntry = "explained-model.zip";
    private const string SamplerEntry = "sampler.tsv";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    private sealed record Header(
        string Format, int Version, string InputColumnName, string? PairColumnName, string ScoreColumnName, string AttributionsColumnName,
        string WordsColumnName, AttributionTargetKind TargetKind, int TargetClass, WordBaselineKind? Baseline, string UnknownToken,
        int SamplerMinCount, string MethodType, JsonElement Method);

    public void Write(ITransformer transformer, PipelinePartWriter writer)
    {
        var attribution = (TextAttributionTransformer)transformer;
        TextAttributionOptions o = attribution.Options;
        Type methodType = o.Method.GetType();
        var header = new Header(Format, Version, o.InputColumnName, o.PairColumnName, o.ScoreColumnName, o.AttributionsColumnName, o.WordsColumnName,
            o.Target.Kind, o.Target.ClassIndex, o.Baseline, o.UnknownToken, o.SamplerMinCount,
            $"{methodType.FullName}, {methodType.Assembly.GetName().Name}", JsonSerializer.SerializeToElement(o.Method, methodType, Json));
        writer.WriteEntry(HeaderEntry, JsonSerializer.SerializeToUtf8Bytes(header, Json));

        using var model = new MemoryStream();
        new MLContext().Model.SaveWithEncoders(attribution.ExplainedModel.Model, TextSchema(o), model);
        writer.WriteEntry(ModelEntry, model.ToArray(), compress: false);
        if (attribution.Sampler is { } sampler)
        {
            var text = new StringBuilder();
            for (int i = 0; i < sampler.Count; i++)
                text.Append(sampler.Words[i]).Append('\t').Append(sampler.Counts[i]).Append('\n');
            writer.WriteEntry(SamplerEntry, Encoding.UTF8.GetBytes(text.ToString()));
        }
    }

    public ITransformer Read(PipelinePartReader reader)
    {
        string where = $"{reader.Source}: entry {reader.Folder}{HeaderEntry}";
        Header header;
        try
        {
            header = JsonSerializer.Deserialize<Header>(reader.ReadEntry(HeaderEntry), Json) ?? throw new JsonException("empty document");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{where} is not a valid text-attribution header: {ex.Message}", ex);
        }
        if (header.Format != Format)
            throw new InvalidDataException($"{where} has format '{header.Format}', expected '{Format}'.");
        if (header.Version > Version)
            throw new InvalidDataException($"{where}: saved in format version {header.Version}; this MLNetExt reads up to version {Version}. Update MLNetExt.");

        Type? methodType = Type.GetType(header.MethodType, throwOnError: false);
        if (methodType is null || !typeof(AttributionMethodOptions).IsAssignableFrom(methodType))
        {
            throw new InvalidDataException(
                $"{where}: the attribution method's options type '{header.MethodType}' was not found or is not an {nameof(AttributionMethodOptions)}; reference the assembly that holds it.");
        }
        var method = (AttributionMethodOptions)(header.Method.Deserialize(methodType, Json) ?? throw new InvalidDataException($"{where}: the method's options are empty."));
        var options = new TextAttributionOptions
        {
            InputColumnName = header.InputColumnName,
            PairColumnName = header.PairColumnName,
            ScoreColumnName = header.ScoreColumnName,
            AttributionsColumnName = header.AttributionsColumnName,
            WordsColumnName = header.WordsColumnName,
            Target = header.TargetKind switch
            {
                AttributionTargetKind.Class => AttributionTarget.Class(header.TargetClass),
                AttributionTargetKind.Score => AttributionTarget.Score,
                _ => AttributionTarget.PredictedClass,
            },
            Baseline = header.Baseline,
            UnknownToken = header.UnknownToken,
            SamplerMinCount = header.SamplerMinCount,
            Method = method,
        };
        UnigramWordSampler? sampler = options.ResolvedBaseline == WordBaselineKind.SampledWord ? ReadSampler(reader) : null;
        using var stream = new MemoryStream(reader.ReadEntry(ModelEntry));
        ITransformer model = new MLContext().Model.LoadWithEncoders(stream, out _);
        return new TextAttributionTransformer(model, options, sampler, ownsModel: true);
    }

    private static UnigramWordSampler ReadSampler(PipelinePartReader reader)
    {
        string[] lines = Encoding.UTF8.GetString(reader.ReadEntry(SamplerEntry)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var counts = new List<(string, long)>(lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            int tab = lines[i].LastIndexOf('\t');
            if (tab < 0 || !long.TryParse(lines[i].AsSpan(tab + 1), out long count))
                throw new InvalidDataException($"{reader.Source}: entry {reader.Folder}{SamplerEntry}, line {i + 1}: expected word TAB count, got '{lines[i]}'.");
            counts.Add((lines[i][..tab], count));
        }
        return UnigramWordSampler.FromCounts(counts);
    }

    /// <summary>The schema of rows holding only the text column(s): the explained pipeline's input.</summary>
    private static DataViewSchema TextSchema(TextAttributionOptions options)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(options.InputColumnName, TextDataViewType.Instance);
        if (options.PairColumnName is string pair)
            builder.AddColumn(pair, TextDataViewType.Instance);
        return builder.ToSchema();
    }
}
