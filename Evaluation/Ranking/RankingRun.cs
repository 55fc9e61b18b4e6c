namespace MLNetExt.Evaluation.Ranking;

/// <summary>What to do when a run scores the same document twice for one query.</summary>
public enum DuplicatePolicy
{
    /// <summary>Refuse, as trec_eval does ("duplicate docs").</summary>
    Error,

    /// <summary>Keep the first score seen.</summary>
    KeepFirst,

    /// <summary>Keep the last score seen (what a Python dict built line by line holds, as in BEIR).</summary>
    KeepLast,

    /// <summary>Keep the highest score.</summary>
    KeepHighest,
}

/// <summary>
/// A retrieval run: for each query id, the retrieved document ids with their scores. The order in which
/// documents were added does not matter; evaluation ranks them as trec_eval does (score descending, ties by
/// document id descending, compared as strings). Scores are kept as given; trec_eval 9.0.8 compares them in single
/// precision, which <see cref="Ranked"/> does by default.
/// </summary>
public sealed class RankingRun
{
    private readonly Dictionary<string, Dictionary<string, double>> _byQuery = new(StringComparer.Ordinal);

    /// <summary>Creates an empty run.</summary>
    /// <param name="duplicates">What <see cref="Add"/> does with a document already scored for the query.</param>
    public RankingRun(DuplicatePolicy duplicates = DuplicatePolicy.Error) => Duplicates = duplicates;

    /// <summary>What <see cref="Add"/> does with a document already scored for the query.</summary>
    public DuplicatePolicy Duplicates { get; }

    /// <summary>The query ids, in the order they were first added.</summary>
    public IEnumerable<string> QueryIds => _byQuery.Keys;

    /// <summary>Number of queries in the run (a query may have an empty result list).</summary>
    public int QueryCount => _byQuery.Count;

    /// <summary>Number of duplicate (query, document) entries that the policy resolved.</summary>
    public int DuplicatesResolved { get; private set; }

    /// <summary>Declares a query, with no results yet (a query that retrieved nothing still counts in averages).</summary>
    public void AddQuery(string queryId)
    {
        ArgumentException.ThrowIfNullOrEmpty(queryId);
        if (!_byQuery.ContainsKey(queryId))
            _byQuery[queryId] = new Dictionary<string, double>(StringComparer.Ordinal);
    }

    /// <summary>Adds a scored document. Returns false when it was a duplicate that the policy resolved.</summary>
    /// <exception cref="ArgumentException">The document is already scored for the query and the policy is <see cref="DuplicatePolicy.Error"/>.</exception>
    public bool Add(string queryId, string documentId, double score)
    {
        ArgumentException.ThrowIfNullOrEmpty(queryId);
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        if (double.IsNaN(score))
            throw new ArgumentOutOfRangeException(nameof(score), score, $"The score of document '{documentId}' for query '{queryId}' is NaN.");
        if (!_byQuery.TryGetValue(queryId, out var docs))
            _byQuery[queryId] = docs = new Dictionary<string, double>(StringComparer.Ordinal);
        if (docs.TryAdd(documentId, score))
            return true;

        switch (Duplicates)
        {
            case DuplicatePolicy.Error:
                throw new ArgumentException($"Document '{documentId}' is scored twice for query '{queryId}'.", nameof(documentId));
            case DuplicatePolicy.KeepLast:
                docs[documentId] = score;
                break;
            case DuplicatePolicy.KeepHighest:
                docs[documentId] = Math.Max(docs[documentId], score);
                break;
        }
        DuplicatesResolved++;
        return false;
    }

    /// <summary>True when the query is in the run.</summary>
    public bool Contains(string queryId) => _byQuery.ContainsKey(queryId);

    /// <summary>The results of one query (document id -> score), or null when the query is not in the run.</summary>
    public IReadOnlyDictionary<string, double>? For(string queryId) =>
        _byQuery.TryGetValue(queryId, out var docs) ? docs : null;

    /// <summary>
    /// The results of one query ranked as trec_eval ranks them: score descending, ties broken by document id
    /// descending (ordinal string comparison, as C's strcmp on UTF-8 bytes for ASCII ids).
    /// </summary>
    /// <param name="queryId">The query.</param>
    /// <param name="precision">How scores are compared: rounded to <see cref="float"/> as trec_eval 9.0.8 does (the
    /// default), or as doubles (trec_eval 10). The returned scores are the ones added, unrounded.</param>
    public IReadOnlyList<KeyValuePair<string, double>> Ranked(string queryId, ScorePrecision precision = ScorePrecision.Single)
    {
        var docs = For(queryId);
        if (docs is null)
            return [];
        var list = docs.ToList();
        if (precision == ScorePrecision.Single)
            list.Sort((a, b) => TrecOrder.Compare(a.Key, (float)a.Value, b.Key, (float)b.Value));
        else
            list.Sort(TrecOrder.Compare);
        return list;
    }
}

/// <summary>trec_eval's ranking order.</summary>
public static class TrecOrder
{
    /// <summary>Score descending, then document id descending (ordinal); negative means <paramref name="a"/> ranks first.</summary>
    public static int Compare(KeyValuePair<string, double> a, KeyValuePair<string, double> b) =>
        Compare(a.Key, a.Value, b.Key, b.Value);

    /// <summary>Score descending, then document id descending (ordinal); negative means the first document ranks first.</summary>
    public static int Compare(string idA, double scoreA, string idB, double scoreB)
    {
        if (scoreA > scoreB) return -1;
        if (scoreA < scoreB) return 1;
        return string.CompareOrdinal(idB, idA);
    }
}
