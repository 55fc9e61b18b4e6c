using System.Text.Json;
using MLNetExt.Evaluation.IO;
using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.Evaluation.Beir;

/// <summary>
/// Reads a BEIR dataset folder: <c>corpus.jsonl</c> (<c>_id</c>, <c>title</c>, <c>text</c>), <c>queries.jsonl</c>
/// (<c>_id</c>, <c>text</c>) and <c>qrels/&lt;split&gt;.tsv</c> (header, then query-id, corpus-id, score).
/// A malformed line is reported with file and line number; a duplicate id, an empty corpus and qrels without
/// judgements are errors.
/// </summary>
public static class BeirReader
{
    /// <summary>Loads the folder's corpus, the split's qrels, and the queries those qrels judge.</summary>
    /// <param name="folder">The dataset folder.</param>
    /// <param name="split">The qrels split: reads <c>qrels/&lt;split&gt;.tsv</c>.</param>
    public static BeirDataset Load(string folder, string split = "test")
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(split);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The BEIR folder '{folder}' does not exist.");
        string qrelsPath = Path.Combine(folder, "qrels", split + ".tsv");
        if (!File.Exists(qrelsPath))
        {
            string[] splits = Directory.Exists(Path.Combine(folder, "qrels"))
                ? Directory.GetFiles(Path.Combine(folder, "qrels"), "*.tsv").Select(f => Path.GetFileNameWithoutExtension(f)).ToArray()
                : [];
            throw new FileNotFoundException($"No qrels for split '{split}' ('{qrelsPath}'); splits found: {(splits.Length == 0 ? "none" : string.Join(", ", splits))}.", qrelsPath);
        }

        var qrels = QrelsReader.Read(qrelsPath, QrelsFormat.BeirTsv);
        string corpusPath = Path.Combine(folder, "corpus.jsonl");
        var corpus = ReadCorpus(corpusPath);
        if (corpus.Count == 0)
            throw new DataFileException(corpusPath, 0, 0, "no documents; there is nothing to retrieve.");
        var allQueries = ReadQueries(Path.Combine(folder, "queries.jsonl"));

        var corpusIds = new HashSet<string>(corpus.Select(d => d.Id), StringComparer.Ordinal);
        var queryIds = new HashSet<string>(allQueries.Select(q => q.Id), StringComparer.Ordinal);
        var missingDocs = qrels.DocumentIds.Where(id => !corpusIds.Contains(id)).ToList();
        var missingQueries = qrels.QueryIds.Where(id => !queryIds.Contains(id)).ToList();
        var judgedQueries = allQueries.Where(q => qrels.Contains(q.Id)).ToList();

        string name = new DirectoryInfo(Path.GetFullPath(folder)).Name;
        return new BeirDataset(name, split, corpus, judgedQueries, qrels, missingDocs, missingQueries);
    }

    /// <summary>Reads corpus.jsonl.</summary>
    public static IReadOnlyList<BeirDocument> ReadCorpus(string path) =>
        ReadJsonl(path, (id, e) => new BeirDocument(id, OptionalString(e, "title"), RequiredString(e, "text")), d => d.Id);

    /// <summary>Reads queries.jsonl.</summary>
    public static IReadOnlyList<BeirQuery> ReadQueries(string path) =>
        ReadJsonl(path, (id, e) => new BeirQuery(id, RequiredString(e, "text")), q => q.Id);

    private sealed class FieldException(string message) : Exception(message);

    private static List<T> ReadJsonl<T>(string path, Func<string, JsonElement, T> make, Func<T, string> idOf)
    {
        var items = new List<T>();
        var lineOfId = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (number, text) in LineReader.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(text))
                continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException ex)
            {
                throw new DataFileException(path, number, (int)(ex.BytePositionInLine ?? 0) + 1, $"expected one JSON object per line: {ex.Message}");
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    throw new DataFileException(path, number, 0, $"expected a JSON object, got {root.ValueKind}.");
                T item;
                try
                {
                    item = make(Id(root), root);
                }
                catch (FieldException ex)
                {
                    throw new DataFileException(path, number, 0, ex.Message);
                }
                string id = idOf(item);
                if (lineOfId.TryGetValue(id, out int earlier))
                    throw new DataFileException(path, number, 0, $"the id '{id}' is already used on line {earlier}.");
                lineOfId[id] = number;
                items.Add(item);
            }
        }
        return items;
    }

    private static string Id(JsonElement e)
    {
        if (!e.TryGetProperty("_id", out var id))
            throw new FieldException("expected an \"_id\" field, got none.");
        string value = id.ValueKind switch
        {
            JsonValueKind.String => id.GetString()!,
            JsonValueKind.Number => id.GetRawText(),
            _ => throw new FieldException($"expected \"_id\" to be a string, got {id.ValueKind}."),
        };
        return value.Length > 0 ? value : throw new FieldException("expected a non-empty \"_id\".");
    }

    private static string RequiredString(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v))
            throw new FieldException($"expected a \"{name}\" field, got none.");
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new FieldException($"expected \"{name}\" to be a string, got {v.ValueKind}.");
    }

    private static string OptionalString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? RequiredString(e, name) : "";
}
