using MLNetExt.Transforms.IO;
using System.Text.Json;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.IO;

namespace MLNetExt.Samples;

/// <summary>
/// Writes a smaller BEIR folder cut from a real one, so that a sample (or its test) can evaluate on a few hundred
/// documents in seconds. Queries are kept in file order while their judged documents fit in half of the document
/// budget; the rest of the budget is filled with unjudged documents in file order, which act as distractors.
/// </summary>
/// <remarks>
/// The slice is easier than the full corpus (fewer distractors), so its scores are higher than the published ones;
/// they are for comparing systems on the same slice, not for comparing with papers.
/// </remarks>
public static class BeirSlice
{
    /// <summary>Writes <c>corpus.jsonl</c>, <c>queries.jsonl</c> and <c>qrels/&lt;split&gt;.tsv</c> of the slice.</summary>
    /// <param name="sourceFolder">A BEIR folder (e.g. <c>shared/data/scifact</c>).</param>
    /// <param name="targetFolder">Where to write the slice (created; files there are replaced).</param>
    /// <param name="maxDocuments">Most documents in the slice; 0 copies the whole corpus.</param>
    /// <param name="split">The qrels split to keep.</param>
    /// <returns><paramref name="targetFolder"/>, ready for <see cref="BeirReader.Load"/>.</returns>
    public static string Write(string sourceFolder, string targetFolder, int maxDocuments, string split = "test")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDocuments);
        BeirDataset full = BeirReader.Load(sourceFolder, split);
        int budget = maxDocuments == 0 ? full.Corpus.Count : Math.Min(maxDocuments, full.Corpus.Count);

        var judged = new HashSet<string>(StringComparer.Ordinal);
        var queries = new List<BeirQuery>();
        foreach (BeirQuery query in full.Queries)
        {
            var documents = full.Qrels.For(query.Id)!.Keys.Where(d => !judged.Contains(d)).ToList();
            if (judged.Count + documents.Count > budget / 2)
                break;
            judged.UnionWith(documents);
            queries.Add(query);
        }
        if (queries.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(maxDocuments), $"A slice of {maxDocuments} documents holds no query's judged documents; allow more.");

        var corpus = full.Corpus.Where(d => judged.Contains(d.Id)).ToList();
        corpus.AddRange(full.Corpus.Where(d => !judged.Contains(d.Id)).Take(budget - corpus.Count));

        AtomicFile.Write(Path.Combine(targetFolder, "corpus.jsonl"), path => File.WriteAllLines(path,
            corpus.Select(d => JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = d.Id, ["title"] = d.Title, ["text"] = d.Text }))));
        AtomicFile.Write(Path.Combine(targetFolder, "queries.jsonl"), path => File.WriteAllLines(path,
            queries.Select(q => JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = q.Id, ["text"] = q.Text }))));
        AtomicFile.Write(Path.Combine(targetFolder, "qrels", split + ".tsv"), path => File.WriteAllLines(path,
            queries.SelectMany(q => full.Qrels.For(q.Id)!.Select(j => $"{q.Id}\t{j.Key}\t{j.Value}")).Prepend("query-id\tcorpus-id\tscore")));
        return targetFolder;
    }
}
