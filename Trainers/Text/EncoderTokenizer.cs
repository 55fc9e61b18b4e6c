using Microsoft.ML.Tokenizers;

namespace MLNetExt.Trainers.Text;

/// <summary>
/// WordPiece tokenization of single sentences and sentence pairs into padded encoder inputs
/// ([CLS] a [SEP] (b [SEP]), segment ids 0/1, longest-first truncation to <see cref="MaxTokens"/>).
/// </summary>
public sealed class EncoderTokenizer
{
    private readonly BertTokenizer _tokenizer;

    private EncoderTokenizer(BertTokenizer tokenizer, int maxTokens)
    {
        _tokenizer = tokenizer;
        MaxTokens = maxTokens;
    }

    /// <summary>Longest sequence produced, special tokens included.</summary>
    public int MaxTokens { get; }

    /// <summary>Id of the <c>[MASK]</c> token (span masking in self-supervised training).</summary>
    public int MaskTokenId => _tokenizer.MaskingTokenId;

    /// <summary>Creates a tokenizer from a <c>vocab.txt</c> stream.</summary>
    public static EncoderTokenizer Create(Stream vocabulary, bool lowerCase = true, int maxTokens = 256)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (maxTokens < 3)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "At least 3 tokens are needed ([CLS] x [SEP]).");
        // The same settings as inference (EncoderModel.CreateTokenizer), so that training and serving see the same
        // word pieces: BERT's reference pre-tokenizer keeps ASCII symbols, and accents go exactly when lower-casing.
        var tokenizer = BertTokenizer.Create(vocabulary, new BertOptions
        {
            LowerCaseBeforeTokenization = lowerCase,
            RemoveNonSpacingMarks = lowerCase,
            PreTokenizer = MLNetExt.Transforms.BertBasicPreTokenizer.Instance,
        });
        return new EncoderTokenizer(tokenizer, maxTokens);
    }

    /// <summary>Creates a tokenizer from a <c>vocab.txt</c> file.</summary>
    public static EncoderTokenizer Create(string vocabularyPath, bool lowerCase = true, int maxTokens = 256)
    {
        using FileStream stream = File.OpenRead(vocabularyPath);
        return Create(stream, lowerCase, maxTokens);
    }

    /// <summary>Tokenizes rows of one sentence (<paramref name="second"/> null) or of sentence pairs, padded to the longest row.</summary>
    public TokenizedBatch Encode(IReadOnlyList<string> first, IReadOnlyList<string>? second = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        if (second is not null && second.Count != first.Count)
            throw new ArgumentException($"The pair lists differ in length: {first.Count} first sentences, {second.Count} second.", nameof(second));
        var rows = new TokenizedRow[first.Count];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = Tokenize(first[i], second?[i]);
        return Pad(rows);
    }

    /// <summary>Tokenizes one row: [CLS] a [SEP] or [CLS] a [SEP] b [SEP], longest-first truncation to <see cref="MaxTokens"/>.</summary>
    public TokenizedRow Tokenize(string? first, string? second = null)
    {
        List<int> a = [.. _tokenizer.EncodeToIds(first ?? string.Empty, addSpecialTokens: false)];
        List<int>? b = second is null ? null : [.. _tokenizer.EncodeToIds(second, addSpecialTokens: false)];
        int budget = MaxTokens - (b is null ? 2 : 3);
        // Longest-first truncation, as Hugging Face tokenizers do for pairs.
        while (a.Count + (b?.Count ?? 0) > budget)
        {
            if (b is not null && b.Count > a.Count)
                b.RemoveAt(b.Count - 1);
            else
                a.RemoveAt(a.Count - 1);
        }
        var ids = new int[a.Count + (b is null ? 2 : b.Count + 3)];
        ids[0] = _tokenizer.ClassificationTokenId;
        a.CopyTo(ids, 1);
        ids[a.Count + 1] = _tokenizer.SeparatorTokenId;
        if (b is not null)
        {
            b.CopyTo(ids, a.Count + 2);
            ids[^1] = _tokenizer.SeparatorTokenId;
        }
        return new TokenizedRow(ids, a.Count + 2);
    }

    /// <summary>Pads tokenized rows to the longest of them.</summary>
    public TokenizedBatch Pad(IReadOnlyList<TokenizedRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int longest = rows.Count == 0 ? 0 : rows.Max(r => r.Ids.Length);
        var batch = new TokenizedBatch(rows.Count, longest);
        for (int i = 0; i < rows.Count; i++)
        {
            (int[] ids, int firstLength) = rows[i];
            int offset = i * longest;
            for (int j = 0; j < ids.Length; j++)
            {
                batch.InputIds[offset + j] = ids[j];
                batch.AttentionMask[offset + j] = 1;
                batch.TokenTypeIds[offset + j] = j < firstLength ? 0 : 1;
            }
            for (int j = ids.Length; j < longest; j++)
                batch.InputIds[offset + j] = _tokenizer.PaddingTokenId;
        }
        return batch;
    }
}

/// <summary>One tokenized row: ids with special tokens, and how many of them belong to the first segment.</summary>
/// <param name="Ids">Token ids.</param>
/// <param name="FirstSegmentLength">Tokens of segment 0 ([CLS] a [SEP]); the rest are segment 1.</param>
public sealed record TokenizedRow(int[] Ids, int FirstSegmentLength);

/// <summary>Padded encoder inputs for a batch, row-major [<see cref="Rows"/>, <see cref="Length"/>].</summary>
public sealed class TokenizedBatch
{
    internal TokenizedBatch(int rows, int length)
    {
        Rows = rows;
        Length = length;
        InputIds = new long[rows * length];
        AttentionMask = new long[rows * length];
        TokenTypeIds = new long[rows * length];
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Padded length of every row.</summary>
    public int Length { get; }

    /// <summary>Token ids (padding id after the end of each row).</summary>
    public long[] InputIds { get; }

    /// <summary>1 for real tokens, 0 for padding.</summary>
    public long[] AttentionMask { get; }

    /// <summary>0 for the first sentence, 1 for the second.</summary>
    public long[] TokenTypeIds { get; }
}
