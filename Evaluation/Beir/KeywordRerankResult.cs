using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.Evaluation.Beir;

/// <summary>What <see cref="KeywordReranker.Rerank(IReadOnlyList{BeirDocument}, RankingRun, IReadOnlyDictionary{string, IReadOnlyList{string}}, KeywordRerankOptions?, CancellationToken)"/> did.</summary>
/// <param name="Run">The re-ranked run (same queries as the first stage).</param>
/// <param name="Queries">Queries in the run.</param>
/// <param name="KeywordQueries">Ids of the queries that had at least one keyword (the others are left as they were), in run order.</param>
/// <param name="QueriesChanged">Queries whose ranking or list differs from the first stage's.</param>
/// <param name="FilterFallbacks">With filtering: queries with keywords where no retrieved document passed, so the list was kept whole.</param>
/// <param name="DocumentsWithKeywords">(query, document) pairs of the run where the document holds at least one of the query's keywords.</param>
/// <param name="DocumentsRemoved">With filtering: (query, document) pairs dropped.</param>
public sealed record KeywordRerankResult(RankingRun Run, int Queries, IReadOnlyList<string> KeywordQueries, int QueriesChanged, int FilterFallbacks,
    int DocumentsWithKeywords, int DocumentsRemoved)
{
    /// <summary>Number of queries that had at least one keyword.</summary>
    public int QueriesWithKeywords => KeywordQueries.Count;
}
