using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.Transforms.Attribution;

public sealed partial class TextAttributionTransformer
{
    /// <summary>Reads the text column(s) of an input row and keeps the attribution of the current row.</summary>
    private sealed class RowExplainer
    {
        private readonly TextAttributionTransformer _parent;
        private readonly DataViewRow _input;
        private readonly ValueGetter<ReadOnlyMemory<char>> _text;
        private readonly ValueGetter<ReadOnlyMemory<char>>? _pair;
        private readonly CancellationToken _cancellation;
        private long _position = -1;
        private TextAttribution? _current;
        private string? _text0;
        private string? _second0;

        public RowExplainer(TextAttributionTransformer parent, DataViewRow input, CancellationToken cancellation)
        {
            _parent = parent;
            _input = input;
            _cancellation = cancellation;
            _text = input.GetGetter<ReadOnlyMemory<char>>(input.Schema[parent.Options.InputColumnName]);
            if (parent.Options.PairColumnName is string pair)
                _pair = input.GetGetter<ReadOnlyMemory<char>>(input.Schema[pair]);
        }

        public TextAttribution Current()
        {
            // PredictionEngine may keep one position for every call: the text decides too.
            ReadOnlyMemory<char> value = default;
            _text(ref value);
            string text = value.ToString();
            string? second = null;
            if (_pair is not null)
            {
                _pair(ref value);
                second = value.ToString();
            }
            if (_current is null || _position != _input.Position || text != _text0 || second != _second0)
            {
                _current = _parent.Explain(TextInstance.Create(text, second), _cancellation);
                (_position, _text0, _second0) = (_input.Position, text, second);
            }
            return _current;
        }

        public Delegate Getter(bool attributions) => attributions
            ? (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
            {
                float[] scores = Current().Scores;
                v = new VBuffer<float>(scores.Length, (float[])scores.Clone());
            })
            : (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> v) =>
            {
                string[] words = Current().Words;
                v = new VBuffer<ReadOnlyMemory<char>>(words.Length, words.Select(w => w.AsMemory()).ToArray());
            });
    }

    /// <summary>Which output columns are ours, and the input columns they need.</summary>
    private static (bool Attributions, bool Words) Requested(DataViewSchema output, IEnumerable<DataViewSchema.Column> columns, TextAttributionOptions options)
    {
        int attributions = output[options.AttributionsColumnName].Index, words = output[options.WordsColumnName].Index;
        var indices = columns.Select(c => c.Index).ToHashSet();
        return (indices.Contains(attributions), indices.Contains(words));
    }

    private IEnumerable<DataViewSchema.Column> InputsFor(DataViewSchema input, DataViewSchema output, IEnumerable<DataViewSchema.Column> requested)
    {
        var columns = requested.ToArray();
        var needed = new HashSet<int>(columns.Where(c => c.Index < output.Count - 2).Select(c => input[c.Name].Index));
        if (Requested(output, columns, Options) is (true, _) or (_, true))
        {
            needed.Add(input[Options.InputColumnName].Index);
            if (Options.PairColumnName is string pair)
                needed.Add(input[pair].Index);
        }
        return needed.Select(i => input[i]);
    }

    private static Delegate? OurGetter(DataViewSchema output, DataViewSchema.Column column, TextAttributionOptions options, RowExplainer? explainer)
    {
        if (column.Index < output.Count - 2)
            return null;
        return explainer?.Getter(column.Name == options.AttributionsColumnName)
            ?? throw new InvalidOperationException($"Column '{column.Name}' was not requested from the cursor.");
    }

    private sealed class AttributedDataView(TextAttributionTransformer parent, IDataView input, DataViewSchema schema, CancellationToken cancellation) : IDataView
    {
        public bool CanShuffle => false;

        public DataViewSchema Schema => schema;

        public long? GetRowCount() => input.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var needed = columnsNeeded.ToArray();
            DataViewRowCursor inner = input.GetRowCursor(parent.InputsFor(input.Schema, schema, needed));
            return new Cursor(parent, inner, schema, needed, cancellation);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            [GetRowCursor(columnsNeeded, rand)];
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly Row _row;
        private readonly CancellationToken _cancellation;

        public Cursor(TextAttributionTransformer parent, DataViewRowCursor input, DataViewSchema schema, DataViewSchema.Column[] needed, CancellationToken cancellation)
        {
            _input = input;
            _cancellation = cancellation;
            _row = new Row(parent, input, schema, needed, cancellation);
        }

        public override DataViewSchema Schema => _row.Schema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override bool MoveNext()
        {
            _cancellation.ThrowIfCancellationRequested();
            return _input.MoveNext();
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _input.Dispose();
            base.Dispose(disposing);
        }
    }

    private sealed class RowMapper(TextAttributionTransformer parent, DataViewSchema inputSchema, DataViewSchema outputSchema) : IRowToRowMapper
    {
        public DataViewSchema InputSchema => inputSchema;

        public DataViewSchema OutputSchema => outputSchema;

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
            parent.InputsFor(inputSchema, outputSchema, dependingColumns);

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
            new Row(parent, input, outputSchema, activeColumns.ToArray(), CancellationToken.None);
    }

    private sealed class Row : DataViewRow
    {
        private readonly TextAttributionTransformer _parent;
        private readonly DataViewRow _input;
        private readonly DataViewSchema _schema;
        private readonly HashSet<int> _active;
        private readonly RowExplainer? _explainer;

        public Row(TextAttributionTransformer parent, DataViewRow input, DataViewSchema schema, DataViewSchema.Column[] active, CancellationToken cancellation)
        {
            _parent = parent;
            _input = input;
            _schema = schema;
            _active = active.Select(c => c.Index).ToHashSet();
            if (Requested(schema, active, parent.Options) is (true, _) or (_, true))
                _explainer = new RowExplainer(parent, input, cancellation);
        }

        public override DataViewSchema Schema => _schema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate? ours = OurGetter(_schema, column, _parent.Options, _explainer);
            if (ours is null)
                return _input.GetGetter<TValue>(_input.Schema[column.Name]);
            return ours as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}; it was asked for as {typeof(TValue).Name}.");
        }
    }
}
