using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>
/// The input rows plus the fine-tuned model's predictions, computed lazily in batches: a second cursor over the
/// same input reads the text of the next batch ahead, so the main cursor keeps ML.NET's one-row-at-a-time contract.
/// </summary>
internal sealed class FineTunedPredictionDataView : IDataView
{
    private readonly EncoderFineTuningTransformer _model;
    private readonly IDataView _input;
    private readonly int _batchRows;

    public FineTunedPredictionDataView(EncoderFineTuningTransformer model, IDataView input, DataViewSchema schema, int batchRows)
    {
        _model = model;
        _input = input;
        _batchRows = batchRows;
        Schema = schema;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        int inputCount = _input.Schema.Count;
        var inputNeeded = needed.Where(c => c.Index < inputCount).Select(c => _input.Schema[c.Index]).ToList();
        bool predict = needed.Any(c => c.Index >= inputCount);
        return new Cursor(this, _input.GetRowCursor(inputNeeded), predict ? LookAhead() : null, needed.Select(c => c.Index).ToHashSet());
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private DataViewRowCursor LookAhead()
    {
        FineTunedModelInfo info = _model.Info;
        var columns = new List<DataViewSchema.Column> { _input.Schema[info.SentenceColumnName] };
        if (info.SecondSentenceColumnName is not null)
            columns.Add(_input.Schema[info.SecondSentenceColumnName]);
        return _input.GetRowCursor(columns);
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly FineTunedPredictionDataView _parent;
        private readonly DataViewRowCursor _main;
        private readonly DataViewRowCursor? _lookAhead;
        private readonly HashSet<int> _active;
        private readonly ValueGetter<ReadOnlyMemory<char>>? _getFirst;
        private readonly ValueGetter<ReadOnlyMemory<char>>? _getSecond;
        private float[][] _batch = [];
        private long _batchStart;

        public Cursor(FineTunedPredictionDataView parent, DataViewRowCursor main, DataViewRowCursor? lookAhead, HashSet<int> active)
        {
            _parent = parent;
            _main = main;
            _lookAhead = lookAhead;
            _active = active;
            if (lookAhead is not null)
            {
                FineTunedModelInfo info = parent._model.Info;
                _getFirst = lookAhead.GetGetter<ReadOnlyMemory<char>>(parent._input.Schema[info.SentenceColumnName]);
                if (info.SecondSentenceColumnName is not null)
                    _getSecond = lookAhead.GetGetter<ReadOnlyMemory<char>>(parent._input.Schema[info.SecondSentenceColumnName]);
            }
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _main.Position;

        public override long Batch => _main.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override bool MoveNext() => _main.MoveNext();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = _parent._input.Schema.Count;
            if (column.Index < inputCount)
                return _main.GetGetter<TValue>(_parent._input.Schema[column.Index]);
            Delegate getter = PredictionGetters.For(column.Index == inputCount, _parent._model.Kind, Current);
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}; it was asked for as {typeof(TValue).Name}.");
        }

        private float[] Current()
        {
            long position = _main.Position;
            if (position < 0)
                throw new InvalidOperationException("The cursor is not on a row; call MoveNext first.");
            if (position >= _batchStart + _batch.Length)
                ReadBatchContaining(position);
            return _batch[position - _batchStart];
        }

        private void ReadBatchContaining(long position)
        {
            var first = new List<string>();
            var second = _getSecond is null ? null : new List<string>();
            ReadOnlyMemory<char> text = default;
            _batchStart = _lookAhead!.Position + 1;
            while (_lookAhead.Position < position || first.Count < _parent._batchRows)
            {
                if (!_lookAhead.MoveNext())
                    break;
                _getFirst!(ref text);
                first.Add(text.ToString());
                if (second is not null)
                {
                    _getSecond!(ref text);
                    second.Add(text.ToString());
                }
                if (_lookAhead.Position < position)
                {
                    // Rows the caller skipped without asking for predictions: drop them from the batch.
                    first.Clear();
                    second?.Clear();
                    _batchStart = _lookAhead.Position + 1;
                }
            }
            _batch = _parent._model.Predict(first, second);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _main.Dispose();
                _lookAhead?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
