using MLNetExt.Transforms.IO;
using System.Globalization;
using MLNetExt.Evaluation.IO;

namespace MLNetExt.Evaluation.Ranking;

/// <summary>
/// Reads TREC run files: one line per retrieved document, <c>qid Q0 docno rank score tag</c>, separated by spaces
/// or tabs. The rank column is ignored (trec_eval re-ranks by score), as is the tag. A file without results is an error.
/// </summary>
public static class TrecRunReader
{
    /// <summary>Reads a run file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="duplicates">What to do with a document listed twice for a query; <see cref="DuplicatePolicy.Error"/>
    /// (trec_eval's behaviour) reports both line numbers.</param>
    public static RankingRun Read(string path, DuplicatePolicy duplicates = DuplicatePolicy.Error)
    {
        var run = new RankingRun(duplicates);
        var lineOf = duplicates == DuplicatePolicy.Error ? new Dictionary<(string, string), int>() : null;
        foreach (var (number, text) in LineReader.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(text))
                continue;
            string[] f = LineReader.SplitWhitespace(text);
            if (f.Length != 6)
                throw new DataFileException(path, number, 0, $"expected 6 fields 'qid Q0 docno rank score tag', got {f.Length}.");
            if (!double.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out double score) || double.IsNaN(score))
                throw new DataFileException(path, number, 5, $"expected a number (the score), got '{f[4]}'.");

            if (lineOf is not null)
            {
                if (lineOf.TryGetValue((f[0], f[2]), out int earlier))
                    throw new DataFileException(path, number, 3,
                        $"document '{f[2]}' is listed twice for query '{f[0]}' (also on line {earlier}); trec_eval refuses duplicate docs.");
                lineOf[(f[0], f[2])] = number;
            }
            run.Add(f[0], f[2], score);
        }
        if (run.QueryCount == 0)
            throw new DataFileException(path, 0, 0, "no results (trec_eval refuses an empty run file too).");
        return run;
    }

    /// <summary>Writes a run in TREC format (ranked as trec_eval ranks it), atomically.</summary>
    /// <param name="run">The run.</param>
    /// <param name="path">The output file.</param>
    /// <param name="tag">The run tag (last column).</param>
    public static void Write(RankingRun run, string path, string tag = "mlnetext")
    {
        ArgumentNullException.ThrowIfNull(run);
        AtomicFile.Write(path, temp =>
        {
            using var writer = new StreamWriter(temp);
            foreach (string qid in run.QueryIds)
            {
                var ranked = run.Ranked(qid);
                for (int i = 0; i < ranked.Count; i++)
                    writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{qid} Q0 {ranked[i].Key} {i + 1} {ranked[i].Value:R} {tag}"));
            }
        });
    }
}
