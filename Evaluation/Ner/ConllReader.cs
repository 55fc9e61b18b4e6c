using MLNetExt.Evaluation.IO;

namespace MLNetExt.Evaluation.Ner;

/// <summary>
/// Reads token-classification data in the CoNLL layout: one word per line as <c>word TAB tag</c>, a blank line (or a
/// line of whitespace only) after each sentence. <c>-DOCSTART-</c> lines are skipped.
/// </summary>
/// <remarks>
/// Every problem is a <see cref="DataFileException"/> naming the file, line and column: a line without exactly two
/// tab-separated fields, an empty word or tag, a tag that is not a tag of the scheme or not in the given label set, and an
/// empty sentence (a blank line right after another, or at the top of the file, followed by more words).
/// </remarks>
public static class ConllReader
{
    private const string DocumentStart = "-DOCSTART-";

    /// <summary>Reads every sentence of <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="scheme">The tagging scheme the tags must follow.</param>
    /// <param name="labels">The allowed tags; null allows every tag of the scheme.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFileException">A line cannot be read (see the remarks).</exception>
    public static IReadOnlyList<ConllSentence> Read(string path, TaggingScheme scheme = TaggingScheme.Bio, IReadOnlyCollection<string>? labels = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        HashSet<string>? allowed = labels is null ? null : new HashSet<string>(labels, StringComparer.Ordinal);
        var sentences = new List<ConllSentence>();
        var words = new List<string>();
        var tags = new List<string>();
        int first = 0, lastBlank = 0;
        bool previousBlank = true, afterDocumentStart = false;
        (int Line, string Problem)? emptySentence = null;
        foreach ((int number, string line) in LineReader.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                if (afterDocumentStart && words.Count == 0)
                {
                    afterDocumentStart = false; // the blank line that follows a document marker
                    continue;
                }
                if (previousBlank)
                {
                    // Blank lines at the end of the file are harmless; one before a word is an empty sentence.
                    emptySentence ??= (number, number == 1
                        ? "empty sentence: the file starts with a blank line"
                        : $"empty sentence: a second blank line in a row (line {lastBlank} is blank too)");
                    continue;
                }
                sentences.Add(new ConllSentence(words.ToArray(), tags.ToArray(), first));
                words.Clear();
                tags.Clear();
                previousBlank = true;
                lastBlank = number;
                continue;
            }
            if (emptySentence is { } empty)
                throw new DataFileException(path, empty.Line, 0, empty.Problem);
            string[] fields = LineReader.SplitTabs(line);
            if (fields[0] == DocumentStart)
            {
                afterDocumentStart = true;
                continue;
            }
            if (fields.Length != 2)
                throw new DataFileException(path, number, 0, $"expected 2 tab-separated fields (word, tag), got {fields.Length}");
            if (fields[0].Length == 0)
                throw new DataFileException(path, number, 1, "empty word");
            string tag = fields[1].Trim();
            if (!EntityTags.TryParse(tag, scheme, out _, out _))
                throw new DataFileException(path, number, 2, $"'{tag}' is not a {scheme} tag: expected {EntityTags.Describe(scheme)}");
            if (allowed is not null && !allowed.Contains(tag))
                throw new DataFileException(path, number, 2, $"tag '{tag}' is not in the label set ({string.Join(", ", allowed.Order(StringComparer.Ordinal))})");
            if (words.Count == 0)
                first = number;
            words.Add(fields[0]);
            tags.Add(tag);
            previousBlank = false;
        }
        if (words.Count > 0)
            sentences.Add(new ConllSentence(words.ToArray(), tags.ToArray(), first));
        if (sentences.Count == 0)
            throw new DataFileException(path, 0, 0, "no sentences");
        return sentences;
    }

    /// <summary>The tags used in <paramref name="sentences"/>: <c>O</c> first, then the others in ordinal order.</summary>
    public static string[] LabelSet(IEnumerable<ConllSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var tags = sentences.SelectMany(s => s.Tags).Where(t => t != EntityTags.Outside).Distinct().Order(StringComparer.Ordinal);
        return [EntityTags.Outside, .. tags];
    }
}
