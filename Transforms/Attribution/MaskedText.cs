namespace MLNetExt.Transforms.Attribution;

/// <summary>A text as words, some of which are hidden behind one <c>[MASK]</c> token each.</summary>
/// <param name="Words">The words (of both texts of a pair, the first text's first).</param>
/// <param name="Masked">Per word, whether it is masked (shorter than <paramref name="Words"/>: the rest are kept).</param>
/// <param name="FirstWordCount">How many of <paramref name="Words"/> belong to the first text (all for a single text).</param>
public sealed record MaskedText(IReadOnlyList<string> Words, IReadOnlyList<bool> Masked, int FirstWordCount)
{
    /// <summary>A single text.</summary>
    public MaskedText(IReadOnlyList<string> words, IReadOnlyList<bool> masked)
        : this(words, masked, words?.Count ?? 0)
    {
    }

    /// <summary>Whether word <paramref name="index"/> is masked.</summary>
    public bool IsMasked(int index) => index < Masked.Count && Masked[index];
}

/// <summary>One candidate for a masked word: the word and its probability among the candidates the predictor allows.</summary>
public readonly record struct WordCandidate(string Word, float Probability);

/// <summary>The last hidden state at each masked word that fit in the token limit.</summary>
/// <param name="States">Row-major, one row of <paramref name="Hidden"/> values per entry.</param>
/// <param name="Text">Per row, the index of its text.</param>
/// <param name="Word">Per row, the index of the masked word in its text.</param>
/// <param name="Hidden">The state width.</param>
public sealed record MaskedStates(float[] States, int[] Text, int[] Word, int Hidden)
{
    /// <summary>Number of rows.</summary>
    public int Count => Text.Length;

    /// <summary>The state of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> State(int row) => States.AsSpan(row * Hidden, Hidden);
}
