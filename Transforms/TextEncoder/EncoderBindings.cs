using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms.Schema;

namespace MLNetExt.Transforms;

/// <summary>
/// The input columns an encoder component reads and the output schema it produces for one input schema: the input
/// columns (all of them, by index) followed by its head's columns.
/// </summary>
internal sealed class EncoderBindings
{
    private EncoderBindings(DataViewSchema input, DataViewSchema output, int textIndex, int? pairIndex)
    {
        InputSchema = input;
        OutputSchema = output;
        TextIndex = textIndex;
        PairIndex = pairIndex;
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public int TextIndex { get; }

    public int? PairIndex { get; }

    public int InputCount => InputSchema.Count;

    /// <summary>The input columns the encoded outputs are computed from.</summary>
    public IEnumerable<DataViewSchema.Column> SourceColumns => PairIndex is int pair
        ? new[] { InputSchema[TextIndex], InputSchema[pair] }
        : new[] { InputSchema[TextIndex] };

    /// <exception cref="ArgumentOutOfRangeException">A text column is missing or is not text.</exception>
    public static EncoderBindings Create(DataViewSchema input, string textColumn, string? pairColumn, IReadOnlyList<EncoderHeadColumn> outputs)
    {
        int text = FindText(input, textColumn);
        int? pair = pairColumn is null ? null : FindText(input, pairColumn);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (EncoderHeadColumn column in outputs)
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        return new EncoderBindings(input, builder.ToSchema(), text, pair);
    }

    /// <summary>The output shape for <see cref="IEstimator{TTransformer}.GetOutputSchema"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A text column is missing or is not text.</exception>
    public static SchemaShape GetOutputShape(SchemaShape input, string textColumn, string? pairColumn, IEnumerable<(string Name, DataViewType Type)> outputs)
    {
        CheckShape(input, textColumn);
        if (pairColumn is not null)
            CheckShape(input, pairColumn);
        var columns = outputs.Select(o => o.Type is VectorDataViewType vector
            ? SchemaShapeFactory.Column(o.Name, vector.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector, vector.ItemType)
            : SchemaShapeFactory.Column(o.Name, SchemaShape.Column.VectorKind.Scalar, o.Type));
        return SchemaShapeFactory.With(input, columns.ToArray());
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
