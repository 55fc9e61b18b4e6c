using System.Globalization;
using MLNetExt.Evaluation.IO;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>One row of a training file: up to four texts (in the loss's order) and a score.</summary>
internal sealed class SentenceFileRow
{
    public string T0 { get; set; } = "";
    public string T1 { get; set; } = "";
    public string T2 { get; set; } = "";
    public string T3 { get; set; } = "";
    public float Score { get; set; }

    /// <summary>The column names of the texts, in order.</summary>
    public static string[] TextColumnNames(int count) => Enumerable.Range(0, count).Select(i => $"T{i}").ToArray();
}

/// <summary>Reads the training rows of <c>mlnetext train embed</c> from a tab-separated file, a text file or a BEIR folder.</summary>
internal static class SentenceTrainingFile
{
    public const int MaxTextColumns = 4;

    /// <summary>Reads the rows and says how many text columns they fill.</summary>
    public static (List<SentenceFileRow> Rows, int TextColumns) Read(SentenceEncoderRunSpec spec, string path, bool scored, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
            return ReadBeir(spec, path, cancellationToken);
        if (spec.TextColumns.Count is < 1 or > MaxTextColumns)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.TextColumns.Count, $"Give 1 to {MaxTextColumns} text columns.");
        if (spec.TextColumns.Count == 1 && !scored && path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
            return (ReadText(spec, path), 1);
        return (ReadTable(spec, path, scored), spec.TextColumns.Count);
    }

    private static (List<SentenceFileRow>, int) ReadBeir(SentenceEncoderRunSpec spec, string path, CancellationToken cancellationToken)
    {
        if (spec.HardNegatives is < 0 or > MaxTextColumns - 2)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.HardNegatives, $"Give 0 to {MaxTextColumns - 2} hard negatives.");
        IReadOnlyList<RetrievalTrainingPair> pairs = RetrievalTrainingPairs.Build(path, new RetrievalTrainingPairsOptions
        {
            Split = spec.BeirSplit, HardNegatives = spec.HardNegatives, HardNegativeSkip = spec.HardNegativeSkip,
        }, cancellationToken: cancellationToken);
        var rows = pairs.Take(spec.MaxRows ?? int.MaxValue).Select(p => new SentenceFileRow
        {
            T0 = p.Query, T1 = p.Positive, T2 = p.Negatives.ElementAtOrDefault(0) ?? "", T3 = p.Negatives.ElementAtOrDefault(1) ?? "",
        }).ToList();
        return (rows, 2 + spec.HardNegatives);
    }

    private static IEnumerable<(int Number, string Text)> NumberedLines(string path) =>
        File.ReadLines(path).Select((text, index) => (index + 1, text.TrimEnd('\r')));

    private static List<SentenceFileRow> ReadText(SentenceEncoderRunSpec spec, string path)
    {
        var rows = new List<SentenceFileRow>();
        int limit = spec.MaxRows ?? int.MaxValue;
        foreach ((_, string text) in NumberedLines(path))
        {
            string line = text.Trim();
            if (line.Length == 0 || (line.StartsWith('=') && line.EndsWith('=')))
                continue;
            rows.Add(new SentenceFileRow { T0 = line });
            if (rows.Count >= limit)
                break;
        }
        return rows;
    }

    private static List<SentenceFileRow> ReadTable(SentenceEncoderRunSpec spec, string path, bool scored)
    {
        var rows = new List<SentenceFileRow>();
        int limit = spec.MaxRows ?? int.MaxValue;
        int[]? textIndex = null;
        int scoreIndex = -1;
        foreach ((int number, string text) in NumberedLines(path))
        {
            string[] fields = text.Split('\t');
            if (textIndex is null)
            {
                int Find(string name) => Array.IndexOf(fields, name) is int i and >= 0 ? i
                    : throw new DataFileException(path, number, 0, $"expected a header naming column '{name}', got: {string.Join(" | ", fields)}.");
                textIndex = spec.TextColumns.Select(Find).ToArray();
                if (scored)
                    scoreIndex = Find(spec.ScoreColumn);
                continue;
            }
            if (text.Length == 0)
                continue;
            int needed = Math.Max(textIndex.Max(), scoreIndex) + 1;
            if (fields.Length < needed)
                throw new DataFileException(path, number, 0, $"expected at least {needed} tab-separated fields, got {fields.Length}.");
            var row = new SentenceFileRow();
            string[] values = textIndex.Select(i => fields[i]).ToArray();
            (row.T0, row.T1, row.T2, row.T3) = (values[0], values.ElementAtOrDefault(1) ?? "", values.ElementAtOrDefault(2) ?? "", values.ElementAtOrDefault(3) ?? "");
            if (scored)
            {
                if (!float.TryParse(fields[scoreIndex], NumberStyles.Float, CultureInfo.InvariantCulture, out float score))
                    throw new DataFileException(path, number, scoreIndex + 1, $"expected a score (a number), got '{fields[scoreIndex]}'.");
                row.Score = score;
            }
            rows.Add(row);
            if (rows.Count >= limit)
                break;
        }
        if (textIndex is null)
            throw new DataFileException(path, 0, 0, "the file is empty; expected a header line.");
        return rows;
    }
}
