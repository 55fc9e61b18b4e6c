namespace MLNetExt.Evaluation.Ner;

/// <summary>One entity in a sentence: its type and the words it covers.</summary>
/// <param name="Type">Entity type, the tag without its prefix (<c>person</c> for <c>B-person</c>).</param>
/// <param name="Start">Index of the first word (0-based).</param>
/// <param name="End">Index one past the last word.</param>
/// <param name="Text">The words it covers joined by single spaces (empty when decoded without words).</param>
public sealed record EntitySpan(string Type, int Start, int End, string Text)
{
    /// <summary>Number of words.</summary>
    public int Length => End - Start;

    /// <summary>Tab-separated <c>type, start, end, text</c>: how the token-classification transformer writes an entity into a text column.</summary>
    public override string ToString() => $"{Type}\t{Start}\t{End}\t{Text}";

    /// <summary>Reads an entity written by <see cref="ToString"/>.</summary>
    /// <exception cref="FormatException">The value is not four tab-separated fields with integer word positions.</exception>
    public static EntitySpan Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string[] fields = value.Split('\t', 4);
        if (fields.Length != 4 || !int.TryParse(fields[1], out int start) || !int.TryParse(fields[2], out int end) || start < 0 || end <= start)
            throw new FormatException($"'{value}' is not an entity: expected 'type<TAB>start<TAB>end<TAB>text' with 0 <= start < end.");
        return new EntitySpan(fields[0], start, end, fields[3]);
    }
}
