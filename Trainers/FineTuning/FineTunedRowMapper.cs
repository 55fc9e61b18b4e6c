using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>
/// One-row-at-a-time scoring for <c>PredictionEngine</c>: each row is encoded on its own (no batching), and the
/// prediction is kept for as long as the row's position and text stay the same, so Score and PredictedLabel share one
/// ONNX Runtime call.
/// </summary>
internal sealed class FineTunedRowMapper : IRowToRowMapper
{
    private readonly EncoderFineTuningTransformer _model;

    public FineTunedRowMapper(EncoderFineTuningTransformer model, DataViewSchema inputSchema)
    {
        _model = model;
        InputSchema = inputSchema;
        OutputSchema = model.GetOutputSchema(inputSchema);
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        if (!dependingColumns.Any(c => c.Index >= InputSchema.Count))
            return Enumerable.Empty<DataViewSchema.Column>();
        var needed = new List<DataViewSchema.Column> { InputSchema[_model.Info.SentenceColumnName] };
        if (_model.Info.SecondSentenceColumnName is string second)
            needed.Add(InputSchema[second]);
        return needed;
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new Row(this, input, activeColumns.Select(c => c.Index).ToHashSet());

    private sealed class Row : DataViewRow
    {
        private readonly FineTunedRowMapper _parent;
        private readonly DataViewRow _input;
        private readonly HashSet<int> _active;
        private readonly ValueGetter<ReadOnlyMemory<char>>? _getFirst;
        private readonly ValueGetter<ReadOnlyMemory<char>>? _getSecond;
        private long _cachedPosition = -1;
        private string? _cachedFirst;
        private string? _cachedSecond;
        private float[] _cached = [];

        public Row(FineTunedRowMapper parent, DataViewRow input, HashSet<int> active)
        {
            _parent = parent;
            _input = input;
            _active = active;
            FineTunedModelInfo info = parent._model.Info;
            if (active.Any(i => i >= parent.InputSchema.Count))
            {
                _getFirst = input.GetGetter<ReadOnlyMemory<char>>(parent.InputSchema[info.SentenceColumnName]);
                if (info.SecondSentenceColumnName is not null)
                    _getSecond = input.GetGetter<ReadOnlyMemory<char>>(parent.InputSchema[info.SecondSentenceColumnName]);
            }
        }

        public override DataViewSchema Schema => _parent.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = _parent.InputSchema.Count;
            if (column.Index < inputCount)
                return _input.GetGetter<TValue>(_parent.InputSchema[column.Index]);
            Delegate getter = PredictionGetters.For(column.Index == inputCount, _parent._model.Kind, Current);
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}; it was asked for as {typeof(TValue).Name}.");
        }

        private float[] Current()
        {
            ReadOnlyMemory<char> text = default;
            _getFirst!(ref text);
            string first = text.ToString();
            string? second = null;
            if (_getSecond is not null)
            {
                _getSecond(ref text);
                second = text.ToString();
            }
            if (_cachedPosition != _input.Position || first != _cachedFirst || second != _cachedSecond)
            {
                _cached = _parent._model.Predict([first], second is null ? null : [second])[0];
                (_cachedPosition, _cachedFirst, _cachedSecond) = (_input.Position, first, second);
            }
            return _cached;
        }
    }
}

/// <summary>The getters of the prediction columns, shared by the batched view and the row mapper.</summary>
internal static class PredictionGetters
{
    /// <summary>Score (a float for regression, class probabilities otherwise) or PredictedLabel (1-based key).</summary>
    public static Delegate For(bool isScore, FineTuningKind kind, Func<float[]> current) => (isScore, kind) switch
    {
        (true, FineTuningKind.Regression) => (ValueGetter<float>)((ref float v) => v = current()[0]),
        (true, _) => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
        {
            float[] scores = current();
            v = new VBuffer<float>(scores.Length, (float[])scores.Clone());
        }),
        _ => (ValueGetter<uint>)((ref uint v) => v = (uint)FineTuningTask.ArgMax(current()) + 1),
    };
}
