namespace MLNetExt.Transforms;

/// <summary>A tokenized row and, per token, the word it came from (made by <see cref="EncoderTokenizer.TokenizeWords"/>).</summary>
/// <param name="Tokens">The row's ids, <c>[CLS]</c> and <c>[SEP]</c> included.</param>
/// <param name="WordOfToken">Per token, the index of its word; -1 for special tokens and the prefix.</param>
public readonly record struct WordPieceTokens(TokenizedText Tokens, int[] WordOfToken);
