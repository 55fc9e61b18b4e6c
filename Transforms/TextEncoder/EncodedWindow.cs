namespace MLNetExt.Transforms;

/// <summary>The encoded values of consecutive rows <c>[Start, Start + Count)</c>: the one cache all output columns of a cursor read from.</summary>
internal sealed class EncodedWindow
{
    public long Start { get; set; } = -1;

    public int Count { get; set; }

    /// <summary>Sentence vectors, Count x hidden.</summary>
    public float[] Sentences { get; set; } = Array.Empty<float>();

    /// <summary>Word-piece ids per row.</summary>
    public TokenizedText[] Tokens { get; set; } = Array.Empty<TokenizedText>();

    /// <summary>Token vectors per row (tokens x hidden), only when a token output is requested.</summary>
    public float[]?[] TokenStates { get; set; } = Array.Empty<float[]?>();

    public bool Contains(long position) => position >= Start && position < Start + Count;
}

/// <summary>
/// Encodes a window of rows: tokenizes them, orders them by length, cuts the order into batches (so each batch pads
/// to a near-equal length), runs the batches and pools each row back into its original place.
/// </summary>
internal sealed class WindowEncoder : IDisposable
{
    private readonly TextEncoderTransformer _parent;
    private readonly BatchEncoder _batch;
    private readonly bool _keepTokens;
    private readonly List<TokenizedText> _batchRows = new();

    public WindowEncoder(TextEncoderTransformer parent, bool keepTokens)
    {
        _parent = parent;
        _batch = new BatchEncoder(parent.Session);
        _keepTokens = keepTokens;
    }

    public long Rows { get; private set; }

    public long TruncatedRows { get; private set; }

    /// <summary>Encodes the texts (and pairs, when the transformer has a pair column) into <paramref name="window"/>.</summary>
    public void Encode(IReadOnlyList<ReadOnlyMemory<char>> texts, IReadOnlyList<ReadOnlyMemory<char>>? pairs, long start, EncodedWindow window,
        CancellationToken cancellationToken)
    {
        var tokens = new TokenizedText[texts.Count];
        for (int i = 0; i < tokens.Length; i++)
        {
            tokens[i] = pairs is null
                ? _parent.WordPieces.Tokenize(texts[i].Span)
                : _parent.WordPieces.Tokenize(texts[i].Span, pairs[i].Span);
        }
        EncodeTokenized(tokens, start, window, cancellationToken);
    }

    /// <summary>Encodes rows that are already word-piece ids.</summary>
    public void EncodeTokenized(TokenizedText[] tokens, long start, EncodedWindow window, CancellationToken cancellationToken)
    {
        int count = tokens.Length;
        int hidden = _parent.Session.Hidden;
        TextEncoderSettings settings = _parent.Settings;
        int truncated = tokens.Count(t => t.Truncated);
        TruncatedRows += truncated;

        int[] order = Enumerable.Range(0, count).ToArray();
        Array.Sort(tokens.Select(t => t.Length).ToArray(), order);
        if (window.Sentences.Length < count * hidden)
            window.Sentences = new float[count * hidden];
        window.TokenStates = _keepTokens ? new float[]?[count] : Array.Empty<float[]?>();

        for (int from = 0; from < count; from += settings.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int size = Math.Min(settings.BatchSize, count - from);
            _batchRows.Clear();
            for (int k = 0; k < size; k++)
                _batchRows.Add(tokens[order[from + k]]);
            ReadOnlySpan<float> states = _batch.Run(_batchRows, out int length);
            for (int k = 0; k < size; k++)
            {
                int row = order[from + k];
                int n = tokens[row].Length;
                ReadOnlySpan<float> rowStates = states.Slice(k * length * hidden, n * hidden);
                SentencePooling.Pool(rowStates, n, hidden, settings.Pooling, settings.Normalize, window.Sentences.AsSpan(row * hidden, hidden));
                if (_keepTokens)
                    window.TokenStates[row] = rowStates.ToArray();
            }
        }
        window.Tokens = tokens;
        window.Start = start;
        window.Count = count;
        Rows += count;
        _parent.CountRows(count, truncated);
    }

    public void Dispose() => _batch.Dispose();
}
