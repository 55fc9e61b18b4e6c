using System.Globalization;
using System.Text;

namespace MLNetExt.Evaluation.Beir;

/// <summary>
/// The text form keyword matching compares: compatibility-decomposed (so "ﬁ" is "fi" and "²" is "2"), accents dropped,
/// lower-cased, every run of characters other than letters and digits turned into one space, with a space at each end.
/// A phrase then occurs as whole words in a text exactly when its form is a substring of the text's form.
/// </summary>
internal static class KeywordText
{
    /// <summary>The matching form of <paramref name="text"/>: " word word ... " (a single space when it has no word).</summary>
    public static string Normalize(string text)
    {
        string decomposed = text.Normalize(NormalizationForm.FormKD);
        var form = new StringBuilder(decomposed.Length + 2).Append(' ');
        foreach (char c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
                continue;
            if (char.IsLetterOrDigit(c))
                form.Append(char.ToLowerInvariant(c));
            else if (form[^1] != ' ')
                form.Append(' ');
        }
        if (form[^1] != ' ')
            form.Append(' ');
        return form.ToString();
    }

    /// <summary>True when the form holds no word.</summary>
    public static bool IsEmpty(string form) => form.Length <= 1;

    /// <summary>True when the phrase form occurs as whole words in the text form.</summary>
    public static bool Contains(string textForm, string phraseForm) =>
        !IsEmpty(phraseForm) && textForm.Contains(phraseForm, StringComparison.Ordinal);
}
