namespace MLNetExt.Evaluation.Ner;

/// <summary>Reads BIO / BIOES tags and turns a sentence's tags into entity spans.</summary>
/// <remarks>
/// Conventions as conlleval and seqeval: a tag is <c>O</c> or <c>P-type</c> with the prefix <c>P</c> one of
/// <c>B</c>, <c>I</c> (both schemes), <c>E</c>, <c>S</c> (BIOES only), and a non-empty type.
/// </remarks>
public static class EntityTags
{
    /// <summary>The outside tag.</summary>
    public const string Outside = "O";

    /// <summary>Splits a tag into its prefix ('O', 'B', 'I', 'E' or 'S') and type (empty for O); false when it is not a tag of <paramref name="scheme"/>.</summary>
    public static bool TryParse(string tag, TaggingScheme scheme, out char prefix, out string type)
    {
        ArgumentNullException.ThrowIfNull(tag);
        prefix = 'O';
        type = "";
        if (tag == Outside)
            return true;
        if (tag.Length < 3 || tag[1] != '-')
            return false;
        prefix = tag[0];
        type = tag[2..];
        return prefix is 'B' or 'I' || (scheme == TaggingScheme.Bioes && prefix is 'E' or 'S');
    }

    /// <summary>The type of a tag (empty for <c>O</c>).</summary>
    /// <exception cref="FormatException">The tag is not a tag of <paramref name="scheme"/>.</exception>
    public static string TypeOf(string tag, TaggingScheme scheme) =>
        TryParse(tag, scheme, out _, out string type) ? type : throw InvalidTag(tag, scheme);

    /// <summary>What a tag of the scheme looks like, for messages.</summary>
    public static string Describe(TaggingScheme scheme) => scheme == TaggingScheme.Bio
        ? "'O' or B-/I- followed by a type"
        : "'O' or B-/I-/E-/S- followed by a type";

    /// <summary>
    /// The entities of one sentence's tags, in order. <paramref name="words"/> (same length) give each entity's text;
    /// null leaves it empty.
    /// </summary>
    /// <exception cref="ArgumentException">The words and tags differ in length.</exception>
    /// <exception cref="FormatException">A tag is not a tag of <paramref name="scheme"/>.</exception>
    public static List<EntitySpan> Decode(IReadOnlyList<string> tags, IReadOnlyList<string>? words = null,
        TaggingScheme scheme = TaggingScheme.Bio, EntityDecoding decoding = EntityDecoding.Strict)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (words is not null && words.Count != tags.Count)
            throw new ArgumentException($"{words.Count} words but {tags.Count} tags.", nameof(words));
        var spans = new List<EntitySpan>();
        string? openType = null;
        int openStart = 0;

        void Emit(int end)
        {
            string text = words is null ? "" : string.Join(' ', Enumerable.Range(openStart, end - openStart).Select(i => words[i]));
            spans.Add(new EntitySpan(openType!, openStart, end, text));
            openType = null;
        }
        // An entity left open is complete in BIO (it ends where the next tag does not continue it), incomplete in
        // strict BIOES (only E- or S- closes one).
        void Close(int end)
        {
            if (openType is not null && (scheme == TaggingScheme.Bio || decoding == EntityDecoding.Conlleval))
                Emit(end);
            openType = null;
        }
        void Open(string type, int start) => (openType, openStart) = (type, start);

        for (int t = 0; t < tags.Count; t++)
        {
            if (!TryParse(tags[t], scheme, out char prefix, out string type))
                throw InvalidTag(tags[t], scheme);
            bool continues = openType == type && prefix is 'I' or 'E';
            if (!continues)
            {
                Close(t);
                if (prefix is 'B' or 'S' || (decoding == EntityDecoding.Conlleval && prefix is 'I' or 'E'))
                    Open(type, t);
            }
            if (openType is not null && prefix is 'E' or 'S')
                Emit(t + 1);
        }
        Close(tags.Count);
        return spans;
    }

    private static FormatException InvalidTag(string tag, TaggingScheme scheme) =>
        new($"'{tag}' is not a {scheme} tag: expected {Describe(scheme)}.");
}
