using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.Transforms;

/// <summary>Getters that copy one row's encoded values out of an <see cref="EncodedWindow"/> into ML.NET buffers.</summary>
internal static class EncodedValueGetters
{
    /// <summary>Returns the row's window and its index in it, encoding first if needed.</summary>
    public delegate EncodedWindow Locate(out int index);

    public static ValueGetter<TValue> Create<TValue>(EncoderOutputKind kind, DataViewSchema.Column column, Locate locate, WordPieceInputs pieces, int hidden)
    {
        Delegate getter = kind switch
        {
            EncoderOutputKind.Sentence => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                EncodedWindow window = locate(out int i);
                Fill(ref value, window.Sentences.AsSpan(i * hidden, hidden));
            }),
            EncoderOutputKind.TokenEmbeddings => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                EncodedWindow window = locate(out int i);
                Fill(ref value, window.TokenStates[i]);
            }),
            EncoderOutputKind.TokenMask => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                TokenizedText tokens = locate(out int i).Tokens[i];
                var editor = VBufferEditor.Create(ref value, tokens.Length);
                for (int t = 0; t < tokens.Length; t++)
                    editor.Values[t] = IsSpecial(tokens, t) ? 0f : 1f;
                value = editor.Commit();
            }),
            EncoderOutputKind.WordPieces => (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> value) =>
            {
                TokenizedText tokens = locate(out int i).Tokens[i];
                var editor = VBufferEditor.Create(ref value, tokens.Length);
                for (int t = 0; t < tokens.Length; t++)
                    editor.Values[t] = pieces.Piece(tokens.Ids[t]).AsMemory();
                value = editor.Commit();
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown output kind."),
        };
        return getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
            $"Invalid TValue in GetGetter for column '{column.Name}': got {typeof(TValue)}, expected {column.Type.RawType}.");
    }

    /// <summary>[CLS] at 0, the [SEP] closing each segment.</summary>
    private static bool IsSpecial(TokenizedText tokens, int t) =>
        t == 0 || t == tokens.Length - 1 || t == tokens.FirstSegmentLength - 1;

    private static void Fill(ref VBuffer<float> value, ReadOnlySpan<float> source)
    {
        var editor = VBufferEditor.Create(ref value, source.Length);
        source.CopyTo(editor.Values);
        value = editor.Commit();
    }
}
