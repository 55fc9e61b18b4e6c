using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.Transforms.Attribution;

/// <summary>
/// A fitted pipeline seen as a function from text (or a text pair) to a vector of numbers: the forward function that
/// attribution methods perturb. Any pipeline whose input is a text column and whose output column is a
/// <see cref="float"/> or a vector of them works: a fine-tuned encoder classifier, <c>EncodeText</c> + a stock
/// trainer, <c>FeaturizeText</c> + SDCA.
/// </summary>
/// <remarks>
/// <see cref="Score"/> scores many texts with one <see cref="ITransformer.Transform"/> over an in-memory view, so a
/// model that batches (our encoders do) sees all perturbations of a text at once. The view holds only the text
/// column(s): a pipeline that reads other columns (a label, say) must be the scoring part of the pipeline only.
/// </remarks>
public sealed class ExplainedTextModel
{
    private readonly MLContext _mlContext;
    private readonly SchemaDefinition _definition;
    private readonly bool _pair;
    private long _rowsScored;

    /// <summary>Wraps <paramref name="model"/> and checks that it reads the text column(s) and writes a numeric output.</summary>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="textColumnName">The text column the pipeline reads.</param>
    /// <param name="outputColumnName">The output to explain: a <see cref="float"/> or a vector of them (e.g. <c>Score</c>, <c>Probability</c>).</param>
    /// <param name="pairColumnName">The second text column of a pair model, or null.</param>
    /// <param name="mlContext">The context the in-memory views are made in; null makes one.</param>
    /// <exception cref="ArgumentOutOfRangeException">The pipeline cannot read the text column(s), or the output column is missing or not numeric.</exception>
    public ExplainedTextModel(ITransformer model, string textColumnName, string outputColumnName, string? pairColumnName = null, MLContext? mlContext = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(textColumnName);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        if (pairColumnName == textColumnName)
            throw new ArgumentException($"The pair column '{pairColumnName}' must differ from the text column.", nameof(pairColumnName));
        Model = model;
        TextColumnName = textColumnName;
        PairColumnName = pairColumnName;
        OutputColumnName = outputColumnName;
        _mlContext = mlContext ?? new MLContext(0);
        _pair = pairColumnName is not null;
        _definition = SchemaDefinition.Create(_pair ? typeof(PairRow) : typeof(SingleRow));
        _definition[nameof(SingleRow.First)].ColumnName = textColumnName;
        if (_pair)
            _definition[nameof(PairRow.Second)].ColumnName = pairColumnName!;

        DataViewSchema input = Load([]).Schema;
        DataViewSchema output;
        try
        {
            output = model.GetOutputSchema(input);
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or InvalidOperationException or ArgumentException)
        {
            throw new ArgumentOutOfRangeException(nameof(model),
                $"The explained pipeline does not accept rows holding only the text column(s) {Describe()}: {ex.Message}");
        }
        DataViewSchema.Column column = output.GetColumnOrNull(outputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(outputColumnName), $"Could not find output column '{outputColumnName}' in the explained pipeline's output (columns: {string.Join(", ", output.Select(c => c.Name))}).");
        OutputLength = column.Type switch
        {
            NumberDataViewType t when t == NumberDataViewType.Single => 1,
            VectorDataViewType { ItemType: var item } v when item == NumberDataViewType.Single => v.Size,
            _ => throw new ArgumentOutOfRangeException(nameof(outputColumnName),
                $"Schema mismatch for output column '{outputColumnName}': expected Single or vector of Single, got {column.Type}"),
        };
    }

    /// <summary>The fitted pipeline.</summary>
    public ITransformer Model { get; }

    /// <summary>The text column read.</summary>
    public string TextColumnName { get; }

    /// <summary>The second text column of a pair model, or null.</summary>
    public string? PairColumnName { get; }

    /// <summary>The output column explained.</summary>
    public string OutputColumnName { get; }

    /// <summary>Values of the output (1 for a scalar column; 0 for a vector of unknown size).</summary>
    public int OutputLength { get; }

    /// <summary>Rows scored so far by <see cref="Score"/> (each perturbed text is one model call).</summary>
    public long RowsScored => Interlocked.Read(ref _rowsScored);

    /// <summary>Scores texts in one pass through the pipeline; returns the output values of each text.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ArgumentException">A pair model was given single texts, or the reverse.</exception>
    public float[][] Score(IReadOnlyList<TextPair> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        cancellationToken.ThrowIfCancellationRequested();
        if (texts.Count == 0)
            return [];
        foreach (TextPair text in texts)
        {
            if ((text.Second is null) == _pair)
                throw new ArgumentException(_pair ? $"The model reads text pairs ({Describe()}); a text has no second text." : "The model reads single texts; a text has a second text.", nameof(texts));
        }

        IDataView scored = Model.Transform(Load(texts));
        DataViewSchema.Column column = scored.Schema[OutputColumnName];
        var result = new float[texts.Count][];
        using DataViewRowCursor cursor = scored.GetRowCursor([column]);
        Func<float[]> read = OutputLength == 1 && column.Type is NumberDataViewType ? ScalarReader(cursor, column) : VectorReader(cursor, column);
        int row = 0;
        while (cursor.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            result[row++] = read();
        }
        if (row != texts.Count)
            throw new InvalidOperationException($"The explained pipeline returned {row} rows for {texts.Count} texts; it must map rows one to one.");
        Interlocked.Add(ref _rowsScored, texts.Count);
        return result;
    }

    private static Func<float[]> ScalarReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        ValueGetter<float> getter = cursor.GetGetter<float>(column);
        return () =>
        {
            float value = 0;
            getter(ref value);
            return [value];
        };
    }

    private static Func<float[]> VectorReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        return () =>
        {
            getter(ref buffer);
            var dense = new float[buffer.Length];
            buffer.CopyTo(dense);
            return dense;
        };
    }

    private IDataView Load(IReadOnlyList<TextPair> texts) => _pair
        ? _mlContext.Data.LoadFromEnumerable(texts.Select(t => new PairRow { First = t.First, Second = t.Second ?? "" }), _definition)
        : _mlContext.Data.LoadFromEnumerable(texts.Select(t => new SingleRow { First = t.First }), _definition);

    private string Describe() => _pair ? $"'{TextColumnName}', '{PairColumnName}'" : $"'{TextColumnName}'";

    private class SingleRow
    {
        public string First { get; set; } = "";
    }

    private sealed class PairRow : SingleRow
    {
        public string Second { get; set; } = "";
    }
}
