namespace MLNetExt.Transforms;

/// <summary>The encoded values of consecutive rows <c>[Start, Start + Count)</c>: the one cache all output columns of a cursor read from.</summary>
internal sealed class EncodedWindow
{
    public long Start { get; set; } = -1;

    public int Count { get; set; }

    /// <summary>Word-piece ids per row.</summary>
    public TokenizedText[] Tokens { get; set; } = Array.Empty<TokenizedText>();

    /// <summary>Per row, the float arrays its head computed (<see cref="EncoderHead.ValuesPerRow"/> of them).</summary>
    public float[]?[][] Values { get; set; } = Array.Empty<float[]?[]>();

    public bool Contains(long position) => position >= Start && position < Start + Count;

    /// <summary>Row <paramref name="index"/> of the window.</summary>
    public EncodedRow Row(int index) => new(Tokens[index], Values[index]);
}

/// <summary>
/// Encodes a window of rows: tokenizes them, orders them by length, cuts the order into batches (so each batch pads
/// to a near-equal length), runs the batches and lets the head compute each row's values in its original place.
/// </summary>
internal sealed class WindowEncoder : IDisposable
{
    private readonly EncoderServing _serving;
    private readonly BatchEncoder _batch;
    private readonly List<TokenizedText> _batchRows = new();
    private readonly List<float[]?[]> _batchValues = new();

    public WindowEncoder(EncoderServing serving)
    {
        _serving = serving;
        _batch = new BatchEncoder(serving.Session, serving.Head.ReadsHiddenStates);
    }

    public long Rows { get; private set; }

    public long TruncatedRows { get; private set; }

    /// <summary>Encodes the texts (and pairs, when the component reads a pair column) into <paramref name="window"/>.</summary>
    public void Encode(IReadOnlyList<ReadOnlyMemory<char>> texts, IReadOnlyList<ReadOnlyMemory<char>>? pairs, long start, EncodedWindow window,
        CancellationToken cancellationToken)
    {
        var tokens = new TokenizedText[texts.Count];
        for (int i = 0; i < tokens.Length; i++)
        {
            tokens[i] = _serving.Tokenize(texts[i].Span, pairs is null ? default : pairs[i].Span, pairs is not null);
        }
        EncodeTokenized(tokens, start, window, cancellationToken);
    }

    /// <summary>Encodes rows that are already word-piece ids.</summary>
    public void EncodeTokenized(TokenizedText[] tokens, long start, EncodedWindow window, CancellationToken cancellationToken)
    {
        int count = tokens.Length;
        int batchSize = _serving.Settings.BatchSize;
        EncoderHead head = _serving.Head;
        for (int i = 0; i < count; i++)
            head.Check(tokens[i], start + i);
        int truncated = tokens.Count(t => t.Truncated);
        TruncatedRows += truncated;

        int[] order = Enumerable.Range(0, count).ToArray();
        Array.Sort(tokens.Select(t => t.Length).ToArray(), order);
        if (window.Values.Length != count)
        {
            window.Values = new float[]?[count][];
            for (int i = 0; i < count; i++)
                window.Values[i] = new float[]?[head.ValuesPerRow];
        }

        for (int from = 0; from < count; from += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int size = Math.Min(batchSize, count - from);
            _batchRows.Clear();
            _batchValues.Clear();
            for (int k = 0; k < size; k++)
            {
                _batchRows.Add(tokens[order[from + k]]);
                _batchValues.Add(window.Values[order[from + k]]);
            }
            _batch.Run(_batchRows);
            head.ComputeBatch(_batch, _batchRows, _batchValues);
        }
        window.Tokens = tokens;
        window.Start = start;
        window.Count = count;
        Rows += count;
        _serving.CountRows(count, truncated);
    }

    public void Dispose() => _batch.Dispose();
}
