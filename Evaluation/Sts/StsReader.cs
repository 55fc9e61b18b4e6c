using System.Globalization;
using MLNetExt.Evaluation.IO;

namespace MLNetExt.Evaluation.Sts;

/// <summary>Layouts of an STS file.</summary>
public enum StsLayout
{
    /// <summary>
    /// Found from the first line: a header with <c>sentence_A</c>, <c>sentence_B</c>, <c>relatedness_score</c> means
    /// <see cref="Sick"/>; one with <c>sentence1</c> means <see cref="Glue"/>; a first field that is a number (or empty)
    /// means <see cref="SemEval"/>; anything else <see cref="Original"/>.
    /// </summary>
    Auto,

    /// <summary>GLUE STS-B: a header line; columns found by the names sentence1, sentence2, score.</summary>
    Glue,

    /// <summary>The original STS benchmark (sts-dev.csv / sts-test.csv): no header; genre, file, year, id, score,
    /// sentence1, sentence2, then optionally source columns.</summary>
    Original,

    /// <summary>
    /// SICK (Marelli et al. 2014): a header naming <c>sentence_A</c>, <c>sentence_B</c> and <c>relatedness_score</c>
    /// (1-5; other columns such as <c>pair_ID</c> and <c>entailment_judgment</c> are ignored).
    /// </summary>
    Sick,

    /// <summary>
    /// SemEval STS 2012-2016 test data with its gold standard in one file: no header; score, sentence 1, sentence 2
    /// (score 0-5). A line with an empty score is a pair the organisers left unscored: it is skipped and counted.
    /// </summary>
    SemEval,
}

/// <summary>What <see cref="StsReader.Load"/> read: the pairs, the layout, and the lines skipped for want of a score.</summary>
/// <param name="Pairs">The scored pairs, in file order.</param>
/// <param name="Layout">The layout read (never <see cref="StsLayout.Auto"/>).</param>
/// <param name="LinesWithoutScore">SemEval lines whose score field was empty (skipped).</param>
public sealed record StsData(IReadOnlyList<StsPair> Pairs, StsLayout Layout, int LinesWithoutScore);

/// <summary>Reads STS pairs, splitting on tabs only (the text has unbalanced quotes).</summary>
public static class StsReader
{
    /// <summary>Reads the file's pairs.</summary>
    /// <exception cref="DataFileException">A row has too few fields or a score that is not a number or outside the layout's range (file, line, column).</exception>
    public static IReadOnlyList<StsPair> Read(string path, StsLayout layout = StsLayout.Auto) => Load(path, layout).Pairs;

    /// <summary>Reads the file and says which layout it had and how many unscored lines it skipped.</summary>
    /// <exception cref="DataFileException">A row has too few fields or a score that is not a number or outside the layout's range (file, line, column).</exception>
    public static StsData Load(string path, StsLayout layout = StsLayout.Auto)
    {
        var pairs = new List<StsPair>();
        int s1 = 5, s2 = 6, score = 4; // original layout
        int withoutScore = 0;
        bool first = true;
        foreach (var (number, text) in LineReader.ReadLines(path))
        {
            if (text.Length == 0)
                continue;
            string[] f = LineReader.SplitTabs(text);
            if (first)
            {
                first = false;
                if (layout == StsLayout.Auto)
                    layout = Detect(f);
                if (layout is StsLayout.Glue or StsLayout.Sick)
                {
                    (s1, s2, score) = HeaderColumns(path, number, f, layout);
                    continue;
                }
                if (layout == StsLayout.SemEval)
                    (score, s1, s2) = (0, 1, 2);
            }

            int needed = Math.Max(s1, Math.Max(s2, score)) + 1;
            if (f.Length < needed)
                throw new DataFileException(path, number, 0, $"expected at least {needed} tab-separated fields ({layout} STS layout), got {f.Length}.");
            if (layout == StsLayout.SemEval && f[score].Trim().Length == 0)
            {
                withoutScore++;
                continue;
            }
            if (!double.TryParse(f[score].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                throw new DataFileException(path, number, score + 1, $"expected a similarity score (a number), got '{f[score]}'.");
            (double min, double max) = layout switch
            {
                StsLayout.Sick => (1.0, 5.0),
                StsLayout.SemEval => (0.0, 5.0),
                _ => (double.NegativeInfinity, double.PositiveInfinity),
            };
            if (value < min || value > max)
                throw new DataFileException(path, number, score + 1, $"expected a {layout} score in [{min}, {max}], got {f[score].Trim()}.");
            pairs.Add(new StsPair(f[s1], f[s2], value, number));
        }
        return new StsData(pairs, layout == StsLayout.Auto ? StsLayout.Original : layout, withoutScore);
    }

    private static StsLayout Detect(string[] firstLine)
    {
        if (Array.IndexOf(firstLine, "sentence_A") >= 0 || Array.IndexOf(firstLine, "relatedness_score") >= 0)
            return StsLayout.Sick;
        if (Array.IndexOf(firstLine, "sentence1") >= 0)
            return StsLayout.Glue;
        string lead = firstLine[0].Trim();
        bool numeric = double.TryParse(lead, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        return firstLine.Length >= 3 && (numeric || lead.Length == 0) ? StsLayout.SemEval : StsLayout.Original;
    }

    private static (int First, int Second, int Score) HeaderColumns(string path, int number, string[] header, StsLayout layout)
    {
        (string a, string b, string s) = layout == StsLayout.Sick ? ("sentence_A", "sentence_B", "relatedness_score") : ("sentence1", "sentence2", "score");
        int Find(string name) => Array.IndexOf(header, name) is int i and >= 0 ? i
            : throw new DataFileException(path, number, 0, $"expected a {layout} STS header naming '{a}', '{b}' and '{s}'; it has no '{name}' column (it has: {string.Join(" | ", header)}).");
        return (Find(a), Find(b), Find(s));
    }
}
