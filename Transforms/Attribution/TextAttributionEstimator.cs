using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms.Schema;

namespace MLNetExt.Transforms.Attribution;

/// <summary>
/// Estimator for <see cref="TextAttributionTransformer"/>: explains a fitted text pipeline's output word by word.
/// Create it with <c>mlContext.Transforms.Text.ExplainText</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>the text column (and pair column) the explained pipeline reads</description></item>
/// <item><term>Output columns</term><description>attributions (variable-size vector of <see cref="float"/>) and words (variable-size vector of text)</description></item>
/// <item><term>Needs training</term><description>no; Fit checks the columns and, for sampled-word baselines, counts the words of the fitting data</description></item>
/// <item><term>Saved by</term><description><c>mlContext.Model.SaveWithEncoders</c> (the explained pipeline is saved inside)</description></item>
/// <item><term>Exportable to ONNX</term><description>no</description></item>
/// </list>
/// See Samples/TextAttributionSample.cs for a runnable example.
/// </remarks>
public sealed class TextAttributionEstimator : IEstimator<TextAttributionTransformer>
{
    private readonly ITransformer _model;
    private readonly TextAttributionOptions _options;

    internal TextAttributionEstimator(ITransformer model, TextAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        _options = options;
    }

    /// <summary>Checks the columns, counts words for a sampled-word baseline, and makes the transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A text column is missing or not text; the explained output is missing or not numeric.</exception>
    public TextAttributionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShapeFactory.Create(input.Schema));
        UnigramWordSampler? sampler = null;
        if (_options.ResolvedBaseline == WordBaselineKind.SampledWord)
            sampler = UnigramWordSampler.FromTexts(ReadTexts(input), _options.SamplerMinCount);
        return new TextAttributionTransformer(_model, _options, sampler, ownsModel: false);
    }

    /// <summary>The input shape plus the attributions and words columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A text column is missing or not text.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckTextColumns(inputSchema, _options);
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_options.AttributionsColumnName] = SchemaShapeFactory.Column(_options.AttributionsColumnName, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single);
        columns[_options.WordsColumnName] = SchemaShapeFactory.Column(_options.WordsColumnName, SchemaShape.Column.VectorKind.VariableVector, TextDataViewType.Instance);
        return new SchemaShape(columns.Values);
    }

    /// <summary>The text column (and pair column) exist and hold text; ML.NET's messages otherwise.</summary>
    internal static void CheckTextColumns(SchemaShape inputSchema, TextAttributionOptions options)
    {
        foreach (string? name in new[] { options.InputColumnName, options.PairColumnName })
        {
            if (name is null)
                continue;
            if (inputSchema.FirstOrDefault(c => c.Name == name) is not { Name: not null } column)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Could not find input column '{name}'");
            if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Schema mismatch for input column '{name}': expected String, got {column.ItemType}");
        }
    }

    private IEnumerable<string> ReadTexts(IDataView input)
    {
        var names = new[] { _options.InputColumnName, _options.PairColumnName }.OfType<string>().ToArray();
        using DataViewRowCursor cursor = input.GetRowCursor(names.Select(n => input.Schema[n]));
        var getters = names.Select(n => cursor.GetGetter<ReadOnlyMemory<char>>(input.Schema[n])).ToArray();
        ReadOnlyMemory<char> text = default;
        while (cursor.MoveNext())
        {
            foreach (var getter in getters)
            {
                getter(ref text);
                yield return text.ToString();
            }
        }
    }
}
