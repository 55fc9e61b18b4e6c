namespace MLNetExt.Evaluation.Ner;

/// <summary>One sentence of a CoNLL file: its words and their tags.</summary>
/// <param name="Words">The words (tokens) in order.</param>
/// <param name="Tags">One tag per word.</param>
/// <param name="Line">1-based line of the first word in the file (0 when not read from a file).</param>
public sealed record ConllSentence(IReadOnlyList<string> Words, IReadOnlyList<string> Tags, int Line = 0)
{
    /// <summary>The words joined by single spaces: the text the token-classification trainer reads (one word per space-separated token).</summary>
    public string Text => string.Join(' ', Words);
}
