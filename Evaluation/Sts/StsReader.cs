using System.Globalization;
using MLNetExt.Evaluation.IO;

namespace MLNetExt.Evaluation.Sts;

/// <summary>Layouts of an STS Benchmark file.</summary>
public enum StsLayout
{
    /// <summary>GLUE's header (<c>index genre ... sentence1 sentence2 score</c>) means <see cref="Glue"/>, else <see cref="Original"/>.</summary>
    Auto,

    /// <summary>GLUE STS-B: a header line; columns found by the names sentence1, sentence2, score.</summary>
    Glue,

    /// <summary>The original STS benchmark (sts-dev.csv / sts-test.csv): no header; genre, file, year, id, score,
    /// sentence1, sentence2, then optionally source columns.</summary>
    Original,
}

/// <summary>Reads STS Benchmark pairs, splitting on tabs only (the text has unbalanced quotes).</summary>
public static class StsReader
{
    /// <summary>Reads the file.</summary>
    /// <exception cref="DataFileException">A row has too few fields or a score that is not a number.</exception>
    public static IReadOnlyList<StsPair> Read(string path, StsLayout layout = StsLayout.Auto)
    {
        var pairs = new List<StsPair>();
        int s1 = 5, s2 = 6, score = 4; // original layout
        bool first = true;
        foreach (var (number, text) in LineReader.ReadLines(path))
        {
            if (text.Length == 0)
                continue;
            string[] f = LineReader.SplitTabs(text);
            if (first)
            {
                first = false;
                bool header = Array.IndexOf(f, "sentence1") >= 0 && Array.IndexOf(f, "score") >= 0;
                if (!header && layout != StsLayout.Original && Array.IndexOf(f, "sentence1") >= 0)
                    throw new DataFileException(path, number, 0, $"the header has no 'score' column (the gold similarity); it has: {string.Join(" | ", f)}.");
                if (layout == StsLayout.Auto)
                    layout = header ? StsLayout.Glue : StsLayout.Original;
                if (layout == StsLayout.Glue)
                {
                    if (!header)
                        throw new DataFileException(path, number, 0, $"expected a GLUE STS-B header with sentence1, sentence2 and score, got: {string.Join(" | ", f)}.");
                    (s1, s2, score) = (Array.IndexOf(f, "sentence1"), Array.IndexOf(f, "sentence2"), Array.IndexOf(f, "score"));
                    continue;
                }
            }

            int needed = Math.Max(s1, Math.Max(s2, score)) + 1;
            if (f.Length < needed)
                throw new DataFileException(path, number, 0, $"expected at least {needed} tab-separated fields ({layout} STS layout), got {f.Length}.");
            if (!double.TryParse(f[score].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                throw new DataFileException(path, number, score + 1, $"expected a similarity score (a number), got '{f[score]}'.");
            pairs.Add(new StsPair(f[s1], f[s2], value, number));
        }
        return pairs;
    }
}
