using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.Transforms;

/// <summary>
/// The output head of the encoder stack: which graph outputs it reads, which columns it adds, and how one row's
/// values are taken out of an encoded batch. This is the extension point through which every encoder component serves.
/// </summary>
/// <remarks>
/// <para><see cref="EncoderServing"/> does everything else once for all heads: one tokenizer path
/// (<see cref="EncoderTokenizer"/>), the checked ONNX Runtime session (<see cref="EncoderSession"/>: execution provider,
/// threads), pinned buffer reuse (<see cref="BatchEncoder"/>), the lazy length-sorted look-ahead view with cancellation
/// and progress (<see cref="EncodedDataView"/>), one-row mapping for <c>PredictionEngine</c>
/// (<see cref="EncodedRowMapper"/>), and the row and truncation counts.</para>
/// <para>Heads today: <see cref="SentenceEncoderHead"/> (pooled sentence vector, token vectors, token mask, word pieces;
/// <c>EncodeText</c>) and the fine-tuned classifier / regressor head in MLNetExt.Trainers (probabilities or score,
/// predicted label, from the graph's <c>logits</c>). A new component (token classification, attribution,
/// compression, context compression) writes a head: list the graph outputs it needs in <see cref="GraphOutputs"/>
/// (checked when the session opens), say in <see cref="ReadsHiddenStates"/> whether it reads the last hidden state,
/// compute each row's float arrays in <see cref="Compute"/>, and turn them into column values in
/// <see cref="CreateGetter"/>. A head holds no native resources and must be safe to use from several cursors at once
/// (keep per-row state in the values it computes).</para>
/// </remarks>
internal abstract class EncoderHead
{
    /// <summary>Whether <see cref="Compute"/> reads <see cref="BatchEncoder.HiddenStates"/>; when false the states are not copied out.</summary>
    public abstract bool ReadsHiddenStates { get; }

    /// <summary>
    /// Whether rows are tokenised word by word (<see cref="EncoderTokenizer.AlignWords(ReadOnlySpan{char})"/>, the text
    /// split at whitespace) so that <see cref="Compute"/> finds each word's first piece in <see cref="TokenizedText.Words"/>;
    /// the ids are the same either way. Token classification sets it.
    /// </summary>
    public virtual bool AlignsWords => false;

    /// <summary>Further float outputs of the graph that <see cref="Compute"/> reads through <see cref="BatchEncoder.Extra"/>, in that order.</summary>
    public virtual IReadOnlyList<string> GraphOutputs => Array.Empty<string>();

    /// <summary>The columns the head adds after the input columns, in schema order.</summary>
    public abstract IReadOnlyList<EncoderHeadColumn> Columns { get; }

    /// <summary>How many float arrays <see cref="Compute"/> keeps per row.</summary>
    public abstract int ValuesPerRow { get; }

    /// <summary>
    /// Refuses a row the head cannot serve before its batch runs (for instance a text that tokenizes to nothing);
    /// <paramref name="row"/> is its position in the cursor's input. Accepts every row unless overridden.
    /// </summary>
    /// <exception cref="InvalidOperationException">The row cannot be encoded by this head; the message names the row.</exception>
    public virtual void Check(TokenizedText tokens, long row)
    {
    }

    /// <summary>
    /// Computes the values of row <paramref name="batchRow"/> of the batch just run into <paramref name="values"/>
    /// (length <see cref="ValuesPerRow"/>); <paramref name="tokens"/> are that row's tokens (unpadded).
    /// </summary>
    public abstract void Compute(BatchEncoder batch, int batchRow, TokenizedText tokens, float[]?[] values);

    /// <summary>
    /// Computes the values of every row of the batch just run: <paramref name="rows"/>[k] are batch row k's tokens and
    /// <paramref name="values"/>[k] receives its arrays. Calls <see cref="Compute"/> row by row unless a head does better
    /// with the whole batch at once (a learned context compressor runs its own graph once per batch).
    /// </summary>
    public virtual void ComputeBatch(BatchEncoder batch, IReadOnlyList<TokenizedText> rows, IReadOnlyList<float[]?[]> values)
    {
        for (int k = 0; k < rows.Count; k++)
            Compute(batch, k, rows[k], values[k]);
    }

    /// <summary>
    /// The getter of <see cref="Columns"/>[<paramref name="column"/>]: a <see cref="ValueGetter{TValue}"/> of the
    /// column's raw type that reads the current row through <paramref name="current"/> (which encodes on demand).
    /// </summary>
    public abstract Delegate CreateGetter(int column, Func<EncodedRow> current);

    /// <summary>Copies <paramref name="source"/> into an ML.NET vector.</summary>
    protected static void Fill(ref VBuffer<float> value, ReadOnlySpan<float> source)
    {
        var editor = VBufferEditor.Create(ref value, source.Length);
        source.CopyTo(editor.Values);
        value = editor.Commit();
    }
}

/// <summary>One output column of an <see cref="EncoderHead"/>.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Type">Column type.</param>
/// <param name="Annotations">Annotations (slot names, key values), if any.</param>
internal sealed record EncoderHeadColumn(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations = null);

/// <summary>One encoded row: its tokens and the float arrays its head computed.</summary>
internal readonly record struct EncodedRow(TokenizedText Tokens, float[]?[] Values);
