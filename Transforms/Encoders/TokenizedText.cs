namespace MLNetExt.Transforms;

/// <summary>One row's word-piece ids, <c>[CLS]</c> and <c>[SEP]</c> included (made by <see cref="EncoderTokenizer"/>).</summary>
/// <param name="Ids">Token ids.</param>
/// <param name="FirstSegmentLength">Tokens of segment 0 (<c>[CLS] text [SEP]</c>); the rest, if any, are segment 1.</param>
/// <param name="Truncated">Whether the text was longer than the tokenizer's maximum and was cut.</param>
public readonly record struct TokenizedText(int[] Ids, int FirstSegmentLength, bool Truncated)
{
    /// <summary>Number of tokens.</summary>
    public int Length => Ids.Length;

    /// <summary>Where each word starts, when the row was tokenised word by word (<see cref="EncoderTokenizer.AlignWords(IReadOnlyList{string})"/>); otherwise null.</summary>
    public WordAlignment? Words { get; init; }
}
