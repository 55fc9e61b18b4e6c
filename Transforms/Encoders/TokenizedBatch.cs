namespace MLNetExt.Transforms;

/// <summary>
/// Tokenized rows padded to the longest of them, row-major [<see cref="Rows"/>, <see cref="Length"/>]: the encoder
/// inputs <c>input_ids</c>, <c>attention_mask</c> and <c>token_type_ids</c>.
/// </summary>
/// <remarks>Padding positions hold id 0 (<c>[PAD]</c> in BERT vocabularies), mask 0 and segment 0.</remarks>
public sealed class TokenizedBatch
{
    private TokenizedBatch(IReadOnlyList<TokenizedText> texts, int length)
    {
        Texts = texts;
        Length = length;
        InputIds = new long[texts.Count * length];
        AttentionMask = new long[texts.Count * length];
        TokenTypeIds = new long[texts.Count * length];
        Fill(texts, length, InputIds, AttentionMask, TokenTypeIds);
    }

    /// <summary>The rows, unpadded.</summary>
    public IReadOnlyList<TokenizedText> Texts { get; }

    /// <summary>Number of rows.</summary>
    public int Rows => Texts.Count;

    /// <summary>Padded length of every row.</summary>
    public int Length { get; }

    /// <summary>Token ids.</summary>
    public long[] InputIds { get; }

    /// <summary>1 for real tokens, 0 for padding.</summary>
    public long[] AttentionMask { get; }

    /// <summary>0 for the first text, 1 for the second.</summary>
    public long[] TokenTypeIds { get; }

    /// <summary>Pads <paramref name="rows"/> to the longest of them.</summary>
    public static TokenizedBatch Pad(IReadOnlyList<TokenizedText> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new TokenizedBatch(rows, LongestOf(rows));
    }

    /// <summary>
    /// The rows cut into padded batches of at most <paramref name="batchSize"/> rows of similar length (shortest first),
    /// each with the indices of its rows in <paramref name="rows"/>; checks <paramref name="cancellationToken"/> before each.
    /// </summary>
    internal static IEnumerable<(int[] Indices, TokenizedBatch Batch)> LengthSorted(IReadOnlyList<TokenizedText> rows, int batchSize,
        CancellationToken cancellationToken)
    {
        int[] byLength = Enumerable.Range(0, rows.Count).OrderBy(i => rows[i].Ids.Length).ToArray();
        for (int start = 0; start < byLength.Length; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int[] chunk = byLength[start..Math.Min(byLength.Length, start + batchSize)];
            yield return (chunk, Pad(chunk.Select(i => rows[i]).ToArray()));
        }
    }

    internal static int LongestOf(IReadOnlyList<TokenizedText> rows)
    {
        int length = 0;
        foreach (TokenizedText row in rows)
            length = Math.Max(length, row.Length);
        return length;
    }

    /// <summary>Writes the padded inputs of <paramref name="rows"/> (rows x <paramref name="length"/> cells each); the one padding rule.</summary>
    internal static void Fill(IReadOnlyList<TokenizedText> rows, int length, Span<long> ids, Span<long> mask, Span<long> types)
    {
        int cells = rows.Count * length;
        ids[..cells].Clear();
        mask[..cells].Clear();
        types[..cells].Clear();
        for (int r = 0; r < rows.Count; r++)
        {
            TokenizedText row = rows[r];
            int offset = r * length;
            for (int t = 0; t < row.Length; t++)
            {
                ids[offset + t] = row.Ids[t];
                mask[offset + t] = 1;
                if (t >= row.FirstSegmentLength)
                    types[offset + t] = 1;
            }
        }
    }
}
