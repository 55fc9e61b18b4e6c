using System.Globalization;
using Microsoft.ML.Tokenizers;

namespace MLNetExt.Transforms;

/// <summary>
/// Splits normalised text into words and single punctuation characters exactly as BERT's reference BasicTokenizer does
/// (Hugging Face <c>BertPreTokenizer</c>): whitespace separates words, and every punctuation character is a word of
/// its own, where punctuation is any Unicode P* character <em>or any non-alphanumeric printable ASCII character</em>.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers' default word-or-punctuation pre-tokenizer matches only Unicode punctuation, so ASCII
/// symbols such as <c>$ &lt; &gt; ^ + = | ~ `</c> (Unicode classes Sc, Sm, Sk) are dropped from the text; the vocabularies
/// of BERT-family models have tokens for them and the models were trained with them, so this pre-tokenizer keeps them.
/// <see cref="EncoderModel.CreateTokenizer"/> uses it; code that builds its own <see cref="BertTokenizer"/> for these
/// models should set <c>BertOptions.PreTokenizer = BertBasicPreTokenizer.Instance</c> (and
/// <c>RemoveNonSpacingMarks</c> with lower-casing) so that training and inference see the same word pieces.
/// </remarks>
public sealed class BertBasicPreTokenizer : PreTokenizer
{
    /// <summary>The one instance (the type has no state).</summary>
    public static BertBasicPreTokenizer Instance { get; } = new();

    private BertBasicPreTokenizer()
    {
    }

    /// <summary>(offset, length) of each word and punctuation character of <paramref name="text"/>.</summary>
    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) =>
        string.IsNullOrEmpty(text) ? Array.Empty<(int, int)>() : Split(text.AsSpan());

    /// <summary>(offset, length) of each word and punctuation character of <paramref name="text"/>.</summary>
    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) =>
        text.IsEmpty ? Array.Empty<(int, int)>() : Split(text);

    private static List<(int Offset, int Length)> Split(ReadOnlySpan<char> text)
    {
        var words = new List<(int, int)>();
        int start = -1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (IsWhitespace(c))
            {
                Close(ref start, i, words);
            }
            else if (IsPunctuation(c))
            {
                Close(ref start, i, words);
                words.Add((i, 1));
            }
            else if (start < 0)
            {
                start = i;
            }
        }
        Close(ref start, text.Length, words);
        return words;
    }

    private static void Close(ref int start, int end, List<(int, int)> words)
    {
        if (start >= 0)
            words.Add((start, end - start));
        start = -1;
    }

    private static bool IsWhitespace(char c) =>
        c is ' ' or '\t' or '\n' or '\r' || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.SpaceSeparator;

    internal static bool IsPunctuation(char c)
    {
        if (c is >= '!' and <= '/' or >= ':' and <= '@' or >= '[' and <= '`' or >= '{' and <= '~')
            return true;
        return CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }
}
