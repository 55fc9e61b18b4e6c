namespace MLNetExt.Transforms;

/// <summary>
/// Where each word of a row starts among its word pieces (made by <see cref="EncoderTokenizer.AlignWords(IReadOnlyList{string})"/>):
/// what a token classifier needs to put one label on each word.
/// </summary>
/// <param name="Words">The words, in order.</param>
/// <param name="FirstPieces">Per word, the index of its first word piece in the row (<c>[CLS]</c> is index 0); -1 for a
/// word that has no piece (it normalises to nothing) or that was cut off by truncation.</param>
/// <param name="DroppedWords">Words at the end whose first piece did not fit in the maximum token count.</param>
public sealed record WordAlignment(IReadOnlyList<string> Words, int[] FirstPieces, int DroppedWords);
