using Microsoft.ML;
using Microsoft.ML.Data;

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
/// <c>EncodeText</c>'s head: the pooled (and optionally normalised) sentence vector, and on request the last layer's
/// token vectors, a token mask and the word pieces.
/// </summary>
internal sealed class SentenceEncoderHead : EncoderHead
{
    private readonly EncoderOutputKind[] _kinds;
    private readonly EncoderTokenizer _tokenizer;
    private readonly EncoderPooling _pooling;
    private readonly bool _normalize;
    private readonly bool _keepTokens;

    public SentenceEncoderHead(TextEncoderSettings settings, EncoderTokenizer tokenizer, int hidden)
    {
        _tokenizer = tokenizer;
        _pooling = settings.Pooling;
        _normalize = settings.Normalize;
        _keepTokens = settings.TokenEmbeddingsColumn is not null;
        var outputs = Outputs(settings, hidden).ToArray();
        Columns = outputs.Select(o => new EncoderHeadColumn(o.Name, o.Type)).ToArray();
        _kinds = outputs.Select(o => o.Kind).ToArray();
    }

    public override bool ReadsHiddenStates => true;

    public override IReadOnlyList<EncoderHeadColumn> Columns { get; }

    /// <summary>The sentence vector, and the token vectors when requested.</summary>
    public override int ValuesPerRow => 2;

    /// <summary>Output columns in schema order: sentence vector, token vectors, token mask, word pieces.</summary>
    public static IEnumerable<(string Name, EncoderOutputKind Kind, DataViewType Type)> Outputs(TextEncoderSettings settings, int hidden)
    {
        yield return (settings.OutputColumn, EncoderOutputKind.Sentence, new VectorDataViewType(NumberDataViewType.Single, hidden));
        if (settings.TokenEmbeddingsColumn is { } states)
            yield return (states, EncoderOutputKind.TokenEmbeddings, new VectorDataViewType(NumberDataViewType.Single));
        if (settings.TokenMaskColumn is { } mask)
            yield return (mask, EncoderOutputKind.TokenMask, new VectorDataViewType(NumberDataViewType.Single));
        if (settings.WordPiecesColumn is { } pieces)
            yield return (pieces, EncoderOutputKind.WordPieces, new VectorDataViewType(TextDataViewType.Instance));
    }

    public override void Compute(BatchEncoder batch, int batchRow, TokenizedText tokens, float[]?[] values)
    {
        int hidden = batch.Hidden;
        int n = tokens.Length;
        ReadOnlySpan<float> states = batch.HiddenStates.Slice(batchRow * batch.Length * hidden, n * hidden);
        float[] sentence = values[0] is { Length: var length } existing && length == hidden ? existing : new float[hidden];
        SentencePooling.Pool(states, n, hidden, _pooling, _normalize, sentence);
        values[0] = sentence;
        values[1] = _keepTokens ? states.ToArray() : null;
    }

    public override Delegate CreateGetter(int column, Func<EncodedRow> current) => _kinds[column] switch
    {
        EncoderOutputKind.Sentence => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) => Fill(ref value, current().Values[0])),
        EncoderOutputKind.TokenEmbeddings => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) => Fill(ref value, current().Values[1])),
        EncoderOutputKind.TokenMask => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
        {
            TokenizedText tokens = current().Tokens;
            var editor = VBufferEditor.Create(ref value, tokens.Length);
            for (int t = 0; t < tokens.Length; t++)
                editor.Values[t] = IsSpecial(tokens, t) ? 0f : 1f;
            value = editor.Commit();
        }),
        EncoderOutputKind.WordPieces => (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> value) =>
        {
            TokenizedText tokens = current().Tokens;
            var editor = VBufferEditor.Create(ref value, tokens.Length);
            for (int t = 0; t < tokens.Length; t++)
                editor.Values[t] = _tokenizer.Piece(tokens.Ids[t]).AsMemory();
            value = editor.Commit();
        }),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "Unknown output column."),
    };

    /// <summary>[CLS] at 0, the [SEP] closing each segment.</summary>
    private static bool IsSpecial(TokenizedText tokens, int t) =>
        t == 0 || t == tokens.Length - 1 || t == tokens.FirstSegmentLength - 1;
}
