using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNetExt.Transforms;

/// <summary>
/// The lazy output of an encoder component's <c>Transform</c>: nothing is encoded until a cursor asks for an encoded
/// column; then rows are read ahead one sort window at a time, sorted by length and run in batches.
/// </summary>
internal sealed class EncodedDataView : IDataView
{
    private static readonly string[] s_progressColumns = ["rows"];

    private readonly EncoderServing _parent;
    private readonly IDataView _input;
    private readonly EncoderBindings _bindings;

    private readonly CancellationToken _cancellation;

    public EncodedDataView(EncoderServing parent, IDataView input, EncoderBindings bindings, CancellationToken cancellation)
    {
        _parent = parent;
        _input = input;
        _bindings = bindings;
        _cancellation = cancellation;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema => _bindings.OutputSchema;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToArray();
        bool[] active = new bool[_parent.Head.Columns.Count];
        foreach (var column in needed.Where(c => c.Index >= _bindings.InputCount))
            active[column.Index - _bindings.InputCount] = true;
        var inputColumns = needed.Where(c => c.Index < _bindings.InputCount).Select(c => _input.Schema[c.Index]);
        return new Cursor(_parent, _input, _bindings, _input.GetRowCursor(inputColumns), active, _cancellation);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    /// <summary>
    /// Passes the input columns through from one input cursor and encodes from a second one that reads the text
    /// columns ahead, one window at a time, when an encoded column is first read at a row outside the current window.
    /// </summary>
    private sealed class Cursor : DataViewRowCursor
    {
        private readonly EncoderServing _parent;
        private readonly IDataView _input;
        private readonly EncoderBindings _bindings;
        private readonly DataViewRowCursor _main;
        private readonly bool[] _active;
        private readonly EncodedWindow _window = new();
        private readonly List<TokenizedText> _tokens = new();
        private readonly Stopwatch _clock = new();
        private readonly long? _total;
        private WindowEncoder? _encoder;
        private DataViewRowCursor? _ahead;
        private ValueGetter<ReadOnlyMemory<char>>? _textGetter;
        private ValueGetter<ReadOnlyMemory<char>>? _pairGetter;
        private IProgressChannel? _progress;
        private bool _disposed;

        private readonly CancellationToken _cancellation;

        public Cursor(EncoderServing parent, IDataView input, EncoderBindings bindings, DataViewRowCursor main, bool[] active,
            CancellationToken cancellation)
        {
            _cancellation = cancellation;
            _parent = parent;
            _input = input;
            _bindings = bindings;
            _main = main;
            _active = active;
            _total = input.GetRowCount();
        }

        public override DataViewSchema Schema => _bindings.OutputSchema;

        public override long Position => _main.Position;

        public override long Batch => _main.Batch;

        public override bool MoveNext() => _main.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => column.Index < _bindings.InputCount
            ? _main.IsColumnActive(_input.Schema[column.Index])
            : _active[column.Index - _bindings.InputCount];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _bindings.InputCount)
                return _main.GetGetter<TValue>(_input.Schema[column.Index]);
            int output = column.Index - _bindings.InputCount;
            if (!_active[output])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            return _parent.Head.CreateGetter(output, Current) as ValueGetter<TValue> ?? throw new InvalidOperationException(
                $"Invalid TValue in GetGetter for column '{column.Name}': got {typeof(TValue)}, expected {column.Type.RawType}.");
        }

        private EncodedRow Current()
        {
            EncodedWindow window = Locate(out int index);
            return window.Row(index);
        }

        private EncodedWindow Locate(out int index)
        {
            long position = _main.Position;
            if (position < 0)
                throw new InvalidOperationException("The cursor is not on a row; call MoveNext first.");
            if (!_window.Contains(position))
                EncodeWindowAt(position);
            index = (int)(position - _window.Start);
            return _window;
        }

        private void EncodeWindowAt(long position)
        {
            if (_ahead is null)
            {
                _ahead = _input.GetRowCursor(_bindings.SourceColumns);
                _textGetter = _ahead.GetGetter<ReadOnlyMemory<char>>(_input.Schema[_bindings.TextIndex]);
                if (_bindings.PairIndex is int pairIndex)
                    _pairGetter = _ahead.GetGetter<ReadOnlyMemory<char>>(_input.Schema[pairIndex]);
                _encoder = new WindowEncoder(_parent);
                _progress = _parent.Host.StartProgressChannel($"{_parent.Settings.Runtime.Component}: encoding");
                _progress.SetHeader(new ProgressHeader(s_progressColumns), entry =>
                {
                    if (_total is long total)
                        entry.SetProgress(0, _encoder.Rows, total);
                    else
                        entry.SetProgress(0, _encoder.Rows);
                });
            }
            while (_ahead.Position < position - 1)
            {
                if (!_ahead.MoveNext())
                    throw Inconsistent(position);
            }
            // Each row is tokenized as soon as it is read: an upstream cursor may reuse its text buffer on MoveNext.
            _tokens.Clear();
            int window = _parent.Settings.SortWindow;
            ReadOnlyMemory<char> text = default, pair = default;
            while (_tokens.Count < window && _ahead.MoveNext())
            {
                if (_ahead.Position != position + _tokens.Count)
                    throw Inconsistent(position + _tokens.Count);
                _textGetter!(ref text);
                _pairGetter?.Invoke(ref pair);
                _tokens.Add(_parent.Tokenize(text.Span, pair.Span, _pairGetter is not null));
            }
            if (_tokens.Count == 0)
                throw Inconsistent(position);
            _clock.Start();
            _encoder!.EncodeTokenized(_tokens.ToArray(), position, _window, _cancellation);
            _clock.Stop();
        }

        private static InvalidOperationException Inconsistent(long position) => new(
            $"The input data view gave a different row {position} to a second cursor; an encoder component reads its input twice " +
            "(pass-through and look-ahead) and needs a data view that yields the same rows in the same order each time.");

        protected override void Dispose(bool disposing)
        {
            if (_disposed)
                return;
            _disposed = true;
            if (disposing)
            {
                if (_encoder is not null && _encoder.Rows > 0)
                {
                    using IChannel channel = _parent.Host.Start(_parent.Settings.Runtime.Component);
                    double seconds = _clock.Elapsed.TotalSeconds;
                    channel.Info(MessageSensitivity.None,
                        $"Encoded {_encoder.Rows} rows in {seconds:F1} s ({_encoder.Rows / Math.Max(seconds, 1e-9):F0} rows/s).");
                    if (_encoder.TruncatedRows > 0)
                    {
                        channel.Warning(MessageSensitivity.None,
                            $"{_encoder.TruncatedRows} of {_encoder.Rows} rows were longer than {_parent.Tokenizer.MaxTokens} tokens and were cut.");
                    }
                }
                _progress?.Dispose();
                _encoder?.Dispose();
                _ahead?.Dispose();
                _main.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
