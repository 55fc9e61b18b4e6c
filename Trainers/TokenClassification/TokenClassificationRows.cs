using MLNetExt.Transforms;

namespace MLNetExt.Trainers.TokenClassification;

/// <summary>Sentences tokenised word by word, with each word's gold tag and the per-piece training targets.</summary>
public sealed class TokenClassificationRows
{
    /// <summary>The value of a target that the loss ignores (every piece but a word's first, and the special tokens).</summary>
    public const long IgnoredTarget = -100;

    internal TokenClassificationRows(IReadOnlyList<TokenizedText> rows, IReadOnlyList<int[]> wordTags)
    {
        if (rows.Count != wordTags.Count)
            throw new ArgumentException($"{rows.Count} rows but {wordTags.Count} tag lists.", nameof(wordTags));
        Rows = rows;
        WordTags = wordTags;
        Targets = rows.Select((row, i) => Align(row, wordTags[i])).ToArray();
        DroppedWords = rows.Sum(r => r.Words!.DroppedWords);
        TruncatedRows = rows.Count(r => r.Truncated);
    }

    /// <summary>The tokenised sentences (each with its <see cref="TokenizedText.Words"/>).</summary>
    public IReadOnlyList<TokenizedText> Rows { get; }

    /// <summary>Per sentence, the gold tag index of each word (-1 where the label is missing).</summary>
    public IReadOnlyList<int[]> WordTags { get; }

    /// <summary>Per sentence, one target per word piece: the word's tag on its first piece, <see cref="IgnoredTarget"/> elsewhere.</summary>
    public IReadOnlyList<long[]> Targets { get; }

    /// <summary>Words cut off by the maximum token count (their tags are not trained on).</summary>
    public int DroppedWords { get; }

    /// <summary>Sentences longer than the maximum token count.</summary>
    public int TruncatedRows { get; }

    /// <summary>The per-piece targets of one row: a word's tag on its first piece only.</summary>
    public static long[] Align(TokenizedText row, IReadOnlyList<int> wordTags)
    {
        WordAlignment words = row.Words ?? throw new ArgumentException("The row was not tokenised word by word.", nameof(row));
        if (wordTags.Count != words.FirstPieces.Length)
            throw new ArgumentException($"{words.FirstPieces.Length} words but {wordTags.Count} tags.", nameof(wordTags));
        var targets = new long[row.Length];
        Array.Fill(targets, IgnoredTarget);
        for (int w = 0; w < wordTags.Count; w++)
        {
            if (words.FirstPieces[w] >= 0 && wordTags[w] >= 0)
                targets[words.FirstPieces[w]] = wordTags[w];
        }
        return targets;
    }
}
