using System.Text;

namespace MLNetExt.Transforms.Attribution;

/// <summary>
/// One text (or text pair) split into the words that attributions are given to: BERT's basic pre-tokenisation
/// (whitespace separates words, every punctuation character is a word of its own), so word pieces of any BERT-family
/// model aggregate to these words, and model-agnostic methods perturb exactly them.
/// </summary>
/// <remarks>
/// Perturbed texts are rebuilt from the original: the characters between words are kept, and only the chosen words are
/// deleted or replaced, so an unperturbed rendering is the original text itself.
/// </remarks>
public sealed class TextInstance
{
    private readonly (int Offset, int Length)[] _spans;

    private TextInstance(string text, string? secondText, (int, int)[] firstSpans, (int, int)[] secondSpans)
    {
        Text = text;
        SecondText = secondText;
        FirstWordCount = firstSpans.Length;
        _spans = [.. firstSpans, .. secondSpans];
        Words = new string[_spans.Length];
        for (int i = 0; i < _spans.Length; i++)
        {
            string source = i < FirstWordCount ? text : secondText!;
            Words[i] = source.Substring(_spans[i].Offset, _spans[i].Length);
        }
    }

    /// <summary>Splits <paramref name="text"/> (and, for pairs, <paramref name="secondText"/>) into words.</summary>
    /// <param name="text">The text; null is read as empty.</param>
    /// <param name="secondText">The second text of a pair, or null for a single text.</param>
    public static TextInstance Create(string? text, string? secondText = null)
    {
        text ??= "";
        return new TextInstance(text, secondText,
            BertBasicPreTokenizer.Instance.PreTokenize(text).ToArray(),
            secondText is null ? [] : BertBasicPreTokenizer.Instance.PreTokenize(secondText).ToArray());
    }

    /// <summary>The (first) text.</summary>
    public string Text { get; }

    /// <summary>The second text of a pair, or null.</summary>
    public string? SecondText { get; }

    /// <summary>The words of the first text followed by those of the second.</summary>
    public string[] Words { get; }

    /// <summary>How many of <see cref="Words"/> belong to the first text.</summary>
    public int FirstWordCount { get; }

    /// <summary>Number of words (both texts of a pair).</summary>
    public int Count => Words.Length;

    /// <summary>
    /// The text with each word whose <paramref name="replacement"/> is not the word itself changed: null deletes the
    /// word, any other string replaces it.
    /// </summary>
    /// <param name="replacement">Given a word index, the string to put there (the word itself keeps it; null deletes it).</param>
    public TextPair Render(Func<int, string?> replacement)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        string first = Render(Text, 0, FirstWordCount, replacement);
        string? second = SecondText is null ? null : Render(SecondText, FirstWordCount, Count, replacement);
        return new TextPair(first, second);
    }

    /// <summary>The original text (pair), unperturbed.</summary>
    public TextPair Original => new(Text, SecondText);

    private string Render(string source, int from, int to, Func<int, string?> replacement)
    {
        var builder = new StringBuilder(source.Length);
        int position = 0;
        for (int i = from; i < to; i++)
        {
            (int offset, int length) = _spans[i];
            builder.Append(source, position, offset - position);
            string? word = replacement(i);
            if (word is not null)
                builder.Append(word);
            position = offset + length;
        }
        builder.Append(source, position, source.Length - position);
        return builder.ToString();
    }
}

/// <summary>A text, or a text pair (<see cref="Second"/> not null), as the explained model reads it.</summary>
/// <param name="First">The (first) text.</param>
/// <param name="Second">The second text of a pair, or null.</param>
public readonly record struct TextPair(string First, string? Second);
