using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.Transforms;

/// <summary>
/// One-row mapping of an encoder component for <c>PredictionEngine</c> and composite mappers: each row is its own
/// batch of one, kept for as long as the row's position and text stay the same, so all output columns share one run.
/// </summary>
internal sealed class EncodedRowMapper : IRowToRowMapper
{
    private readonly EncoderServing _parent;
    private readonly EncoderBindings _bindings;

    public EncodedRowMapper(EncoderServing parent, EncoderBindings bindings)
    {
        _parent = parent;
        _bindings = bindings;
    }

    public DataViewSchema InputSchema => _bindings.InputSchema;

    public DataViewSchema OutputSchema => _bindings.OutputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var columns = dependingColumns.ToArray();
        var result = columns.Where(c => c.Index < _bindings.InputCount).Select(c => InputSchema[c.Index]).ToList();
        if (columns.Any(c => c.Index >= _bindings.InputCount))
            result.AddRange(_bindings.SourceColumns);
        return result.DistinctBy(c => c.Index);
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new MappedRow(_parent, _bindings, input, activeColumns.Select(c => c.Index).ToHashSet());

    private sealed class MappedRow : DataViewRow
    {
        private readonly EncoderServing _parent;
        private readonly EncoderBindings _bindings;
        private readonly DataViewRow _input;
        private readonly HashSet<int> _active;
        private readonly EncodedWindow _window = new();
        private readonly List<ReadOnlyMemory<char>> _text = new() { default };
        private readonly List<ReadOnlyMemory<char>>? _pair;
        private WindowEncoder? _encoder;
        private ValueGetter<ReadOnlyMemory<char>>? _textGetter;
        private ValueGetter<ReadOnlyMemory<char>>? _pairGetter;
        private long _encodedPosition = -1;
        private string? _encodedText;
        private string? _encodedPair;
        private int _busy;

        public MappedRow(EncoderServing parent, EncoderBindings bindings, DataViewRow input, HashSet<int> active)
        {
            _parent = parent;
            _bindings = bindings;
            _input = input;
            _active = active;
            _pair = bindings.PairIndex is null ? null : new List<ReadOnlyMemory<char>> { default };
        }

        public override DataViewSchema Schema => _bindings.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => column.Index < _bindings.InputCount
            ? _input.IsColumnActive(_bindings.InputSchema[column.Index])
            : _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _bindings.InputCount)
                return _input.GetGetter<TValue>(_bindings.InputSchema[column.Index]);
            int output = column.Index - _bindings.InputCount;
            return _parent.Head.CreateGetter(output, Current) as ValueGetter<TValue> ?? throw new InvalidOperationException(
                $"Invalid TValue in GetGetter for column '{column.Name}': got {typeof(TValue)}, expected {column.Type.RawType}.");
        }

        /// <summary>
        /// Encodes the current row, refusing a second thread that comes in while one is encoding: a prediction engine
        /// holds one input row and one output buffer, so two threads sharing it would read each other's answers.
        /// </summary>
        private EncodedRow Current()
        {
            if (Interlocked.Exchange(ref _busy, 1) != 0)
            {
                throw new InvalidOperationException(
                    "A PredictionEngine over EncodeText was used by two threads at once; an engine serves one thread at a time. " +
                    "Give each thread its own engine, or predict through EncoderPredictionEnginePool.");
            }
            try
            {
                return CurrentExclusive();
            }
            finally
            {
                Volatile.Write(ref _busy, 0);
            }
        }

        private EncodedRow CurrentExclusive()
        {
            _textGetter ??= _input.GetGetter<ReadOnlyMemory<char>>(_bindings.InputSchema[_bindings.TextIndex]);
            ReadOnlyMemory<char> text = default;
            _textGetter(ref text);
            ReadOnlyMemory<char> pair = default;
            if (_bindings.PairIndex is int pairIndex)
            {
                _pairGetter ??= _input.GetGetter<ReadOnlyMemory<char>>(_bindings.InputSchema[pairIndex]);
                _pairGetter(ref pair);
            }
            // A prediction engine reuses one input row, so the row is re-encoded whenever its text changes.
            if (_encodedPosition == _input.Position && _encodedText is not null
                && text.Span.SequenceEqual(_encodedText) && pair.Span.SequenceEqual(_encodedPair))
                return _window.Row(0);

            _encoder ??= new WindowEncoder(_parent);
            _text[0] = text;
            if (_pair is not null)
                _pair[0] = pair;
            _encoder.Encode(_text, _pair, 0, _window, CancellationToken.None);
            _encodedPosition = _input.Position;
            _encodedText = text.ToString();
            _encodedPair = pair.ToString();
            return _window.Row(0);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _encoder?.Dispose();
            base.Dispose(disposing);
        }
    }
}
