using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms.Schema;

namespace MLNetExt.Transforms;

/// <summary>Which kind of value an output column of the text encoder holds.</summary>
internal enum EncoderOutputKind
{
    Sentence,
    TokenEmbeddings,
    TokenMask,
    WordPieces,
}

/// <summary>
/// The input columns the transformer reads and the output schema it produces for one input schema: the input columns
/// (all of them, by index) followed by the output columns.
/// </summary>
internal sealed class TextEncoderBindings
{
    private TextEncoderBindings(DataViewSchema input, DataViewSchema output, int textIndex, int? pairIndex, EncoderOutputKind[] kinds)
    {
        InputSchema = input;
        OutputSchema = output;
        TextIndex = textIndex;
        PairIndex = pairIndex;
        Kinds = kinds;
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public int TextIndex { get; }

    public int? PairIndex { get; }

    /// <summary>Kind of each output column, in schema order after the input columns.</summary>
    public EncoderOutputKind[] Kinds { get; }

    public int InputCount => InputSchema.Count;

    /// <summary>The input columns the encoded outputs are computed from.</summary>
    public IEnumerable<DataViewSchema.Column> SourceColumns => PairIndex is int pair
        ? new[] { InputSchema[TextIndex], InputSchema[pair] }
        : new[] { InputSchema[TextIndex] };

    public static TextEncoderBindings Create(DataViewSchema input, TextEncoderSettings settings, int hidden)
    {
        int text = FindText(input, settings.InputColumn);
        int? pair = settings.PairColumn is null ? null : FindText(input, settings.PairColumn);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        var kinds = new List<EncoderOutputKind>();
        foreach (var (name, kind, type) in Outputs(settings, hidden))
        {
            builder.AddColumn(name, type);
            kinds.Add(kind);
        }
        return new TextEncoderBindings(input, builder.ToSchema(), text, pair, kinds.ToArray());
    }

    /// <summary>The output shape for <see cref="IEstimator{TTransformer}.GetOutputSchema"/>.</summary>
    public static SchemaShape GetOutputShape(SchemaShape input, TextEncoderSettings settings, int hidden)
    {
        CheckShape(input, settings.InputColumn);
        if (settings.PairColumn is not null)
            CheckShape(input, settings.PairColumn);
        var columns = Outputs(settings, hidden).Select(o => o.Type is VectorDataViewType vector
            ? SchemaShapeFactory.Column(o.Name, vector.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector, vector.ItemType)
            : SchemaShapeFactory.Column(o.Name, SchemaShape.Column.VectorKind.Scalar, o.Type));
        return SchemaShapeFactory.With(input, columns.ToArray());
    }

    private static IEnumerable<(string Name, EncoderOutputKind Kind, DataViewType Type)> Outputs(TextEncoderSettings settings, int hidden)
    {
        yield return (settings.OutputColumn, EncoderOutputKind.Sentence, new VectorDataViewType(NumberDataViewType.Single, hidden));
        if (settings.TokenEmbeddingsColumn is { } states)
            yield return (states, EncoderOutputKind.TokenEmbeddings, new VectorDataViewType(NumberDataViewType.Single));
        if (settings.TokenMaskColumn is { } mask)
            yield return (mask, EncoderOutputKind.TokenMask, new VectorDataViewType(NumberDataViewType.Single));
        if (settings.WordPiecesColumn is { } pieces)
            yield return (pieces, EncoderOutputKind.WordPieces, new VectorDataViewType(TextDataViewType.Instance));
    }

    private static int FindText(DataViewSchema schema, string name)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException("inputSchema", $"Could not find input column '{name}'");
        if (column.Type is not TextDataViewType)
            throw new ArgumentOutOfRangeException("inputSchema", $"Schema mismatch for input column '{name}': expected String, got {column.Type}");
        return column.Index;
    }

    private static void CheckShape(SchemaShape schema, string name)
    {
        SchemaShape.Column column = schema.LastOrDefault(c => c.Name == name);
        if (column.Name is null)
            throw new ArgumentOutOfRangeException("inputSchema", $"Could not find input column '{name}'");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
            throw new ArgumentOutOfRangeException("inputSchema", $"Schema mismatch for input column '{name}': expected String, got {Describe(column)}");
    }

    private static string Describe(SchemaShape.Column column) => column.Kind switch
    {
        SchemaShape.Column.VectorKind.Vector => $"Vector<{column.ItemType}>",
        SchemaShape.Column.VectorKind.VariableVector => $"VarVector<{column.ItemType}>",
        _ => column.ItemType.ToString() ?? column.ItemType.RawType.Name,
    };
}
