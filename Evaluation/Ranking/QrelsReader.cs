using System.Globalization;
using MLNetExt.Evaluation.IO;

namespace MLNetExt.Evaluation.Ranking;

/// <summary>Layouts of a qrels file.</summary>
public enum QrelsFormat
{
    /// <summary>Decide from the first line: a <c>query-id</c> header or 3 tab-separated fields mean BEIR, 4 fields mean TREC.</summary>
    Auto,

    /// <summary>TREC: <c>qid iter docno rel</c>, separated by spaces or tabs, no header.</summary>
    Trec,

    /// <summary>BEIR: <c>query-id corpus-id score</c>, tab-separated, with a header line.</summary>
    BeirTsv,
}

/// <summary>
/// Reads qrels files. A pair judged twice is an error (trec_eval refuses such files too); so are a grade that is not
/// an integer and a file without judgements. Every error names the file, line and column.
/// </summary>
public static class QrelsReader
{
    /// <summary>Reads a qrels file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">Its layout; <see cref="QrelsFormat.Auto"/> decides from the first line.</param>
    public static Qrels Read(string path, QrelsFormat format = QrelsFormat.Auto)
    {
        var qrels = new Qrels();
        bool detected = format == QrelsFormat.Auto;
        var firstLineOfPair = new Dictionary<(string, string), int>();
        bool first = true;
        foreach (var (number, text) in LineReader.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(text))
                continue;
            if (first)
            {
                first = false;
                if (format == QrelsFormat.Auto)
                    format = Detect(text);
                if (format == QrelsFormat.BeirTsv && IsBeirHeader(text))
                    continue;
            }

            string queryId, documentId, gradeText;
            int gradeColumn;
            if (format == QrelsFormat.Trec)
            {
                string[] f = LineReader.SplitWhitespace(text);
                if (f.Length != 4)
                    throw new DataFileException(path, number, 0, $"expected 4 fields 'qid iter docno rel' separated by spaces or tabs, got {f.Length}.");
                (queryId, documentId, gradeText, gradeColumn) = (f[0], f[2], f[3], 4);
            }
            else
            {
                string[] f = LineReader.SplitTabs(text);
                if (f.Length != 3 && detected && !text.Contains('\t', StringComparison.Ordinal))
                    throw new DataFileException(path, number, 0,
                        $"expected 4 fields 'qid iter docno rel' separated by spaces or tabs (TREC qrels), got {LineReader.SplitWhitespace(text).Length}.");
                if (f.Length != 3)
                    throw new DataFileException(path, number, 0, $"expected 3 tab-separated fields 'query-id corpus-id score', got {f.Length}.");
                (queryId, documentId, gradeText, gradeColumn) = (f[0].Trim(), f[1].Trim(), f[2].Trim(), 3);
                if (queryId.Length == 0 || documentId.Length == 0)
                    throw new DataFileException(path, number, queryId.Length == 0 ? 1 : 2, "expected an id, got an empty field.");
            }

            if (!int.TryParse(gradeText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int grade))
                throw new DataFileException(path, number, gradeColumn, $"expected an integer relevance grade, got '{gradeText}'.");
            if (!qrels.TryAdd(queryId, documentId, grade))
                throw new DataFileException(path, number, 0,
                    $"the pair (query '{queryId}', document '{documentId}') is already judged on line {firstLineOfPair[(queryId, documentId)]}.");
            firstLineOfPair[(queryId, documentId)] = number;
        }
        if (qrels.JudgementCount == 0)
            throw new DataFileException(path, 0, 0, "no judgements (trec_eval refuses an empty qrels file too).");
        return qrels;
    }

    private static bool IsBeirHeader(string line)
    {
        string[] f = LineReader.SplitTabs(line);
        return f.Length >= 3 && !int.TryParse(f[^1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out _);
    }

    private static QrelsFormat Detect(string firstLine)
    {
        if (IsBeirHeader(firstLine))
            return QrelsFormat.BeirTsv;
        return LineReader.SplitWhitespace(firstLine).Length == 4 ? QrelsFormat.Trec : QrelsFormat.BeirTsv;
    }
}
