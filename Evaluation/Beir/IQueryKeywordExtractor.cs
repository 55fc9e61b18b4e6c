namespace MLNetExt.Evaluation.Beir;

/// <summary>
/// Pulls the keywords (entity names, attribute values) out of queries, for <see cref="KeywordReranker"/>. Implementations:
/// <see cref="GazetteerKeywordExtractor"/> (a fixed phrase list) here, and the named-entity tagger's
/// <c>EntityKeywordExtractor</c> in MLNetExt.Trainers.
/// </summary>
public interface IQueryKeywordExtractor
{
    /// <summary>The keywords of each query, in query order (an empty list when a query has none).</summary>
    /// <param name="queries">The query texts.</param>
    /// <param name="cancellationToken">Stops the extraction.</param>
    IReadOnlyList<string>[] ExtractKeywords(IReadOnlyList<string> queries, CancellationToken cancellationToken = default);
}
