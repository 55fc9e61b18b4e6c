namespace MLNetExt.Evaluation.Ranking;

/// <summary>
/// Relevance judgements: for each query id, the judged document ids and their integer grades (0 = judged
/// not relevant; 1, 2, ... = relevant with that gain; negative = in the pool but unjudged, as trec_eval reads it).
/// </summary>
public sealed class Qrels
{
    private readonly Dictionary<string, Dictionary<string, int>> _byQuery = new(StringComparer.Ordinal);

    /// <summary>The query ids, in the order they were first added.</summary>
    public IEnumerable<string> QueryIds => _byQuery.Keys;

    /// <summary>Number of queries with at least one judgement.</summary>
    public int QueryCount => _byQuery.Count;

    /// <summary>Total number of (query, document) judgements.</summary>
    public int JudgementCount => _byQuery.Values.Sum(d => d.Count);

    /// <summary>Adds a judgement. Returns false (and changes nothing) when the pair is already judged.</summary>
    public bool TryAdd(string queryId, string documentId, int grade)
    {
        ArgumentException.ThrowIfNullOrEmpty(queryId);
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        if (!_byQuery.TryGetValue(queryId, out var docs))
            _byQuery[queryId] = docs = new Dictionary<string, int>(StringComparer.Ordinal);
        return docs.TryAdd(documentId, grade);
    }

    /// <summary>Adds a judgement; throws <see cref="ArgumentException"/> when the pair is already judged.</summary>
    public void Add(string queryId, string documentId, int grade)
    {
        if (!TryAdd(queryId, documentId, grade))
            throw new ArgumentException($"The pair (query '{queryId}', document '{documentId}') is already judged.", nameof(documentId));
    }

    /// <summary>True when the query has at least one judgement.</summary>
    public bool Contains(string queryId) => _byQuery.ContainsKey(queryId);

    /// <summary>The judgements of one query (document id -> grade), or null when the query has none.</summary>
    public IReadOnlyDictionary<string, int>? For(string queryId) =>
        _byQuery.TryGetValue(queryId, out var docs) ? docs : null;

    /// <summary>Every judged document id, over all queries.</summary>
    public IEnumerable<string> DocumentIds => _byQuery.Values.SelectMany(d => d.Keys).Distinct(StringComparer.Ordinal);
}
