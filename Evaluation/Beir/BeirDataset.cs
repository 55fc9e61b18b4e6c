using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.Evaluation.Beir;

/// <summary>A corpus document: id, title (may be empty) and text.</summary>
/// <param name="Id">The <c>_id</c> field.</param>
/// <param name="Title">The <c>title</c> field, empty when absent.</param>
/// <param name="Text">The <c>text</c> field.</param>
public sealed record BeirDocument(string Id, string Title, string Text)
{
    /// <summary>The text BEIR and MTEB encode and index: title + " " + text, trimmed.</summary>
    public string TitleAndText => (Title + " " + Text).Trim();
}

/// <summary>A query: id and text.</summary>
/// <param name="Id">The <c>_id</c> field.</param>
/// <param name="Text">The <c>text</c> field.</param>
public sealed record BeirQuery(string Id, string Text);

/// <summary>
/// A BEIR dataset split: the corpus, the queries that the split's qrels judge (as BEIR's loader keeps them), and
/// the qrels, with counts of qrels ids that the corpus or the query file lacks (kept in the qrels, so they count
/// against recall, as they do in BEIR; reported so that nobody misses them).
/// </summary>
public sealed class BeirDataset
{
    internal BeirDataset(string name, string split, IReadOnlyList<BeirDocument> corpus, IReadOnlyList<BeirQuery> queries,
        Qrels qrels, IReadOnlyList<string> missingDocuments, IReadOnlyList<string> missingQueries)
    {
        Name = name;
        Split = split;
        Corpus = corpus;
        Queries = queries;
        Qrels = qrels;
        QrelsDocumentsMissingFromCorpus = missingDocuments;
        QrelsQueriesMissingFromQueries = missingQueries;
    }

    /// <summary>The dataset name (its folder name).</summary>
    public string Name { get; }

    /// <summary>The qrels split ("test", "dev", "train").</summary>
    public string Split { get; }

    /// <summary>The corpus, in file order.</summary>
    public IReadOnlyList<BeirDocument> Corpus { get; }

    /// <summary>The queries judged in this split, in file order.</summary>
    public IReadOnlyList<BeirQuery> Queries { get; }

    /// <summary>The split's relevance judgements.</summary>
    public Qrels Qrels { get; }

    /// <summary>Document ids judged in the qrels but absent from corpus.jsonl.</summary>
    public IReadOnlyList<string> QrelsDocumentsMissingFromCorpus { get; }

    /// <summary>Query ids judged in the qrels but absent from queries.jsonl (they cannot be retrieved for).</summary>
    public IReadOnlyList<string> QrelsQueriesMissingFromQueries { get; }
}
