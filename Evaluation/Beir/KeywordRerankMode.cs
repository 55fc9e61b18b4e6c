namespace MLNetExt.Evaluation.Beir;

/// <summary>How <see cref="KeywordReranker"/> uses a query's keywords.</summary>
public enum KeywordRerankMode
{
    /// <summary>
    /// Raise each document by <see cref="KeywordRerankOptions.Weight"/> x (the query's score range) x (the fraction of the
    /// query's keywords it contains); documents without any keep their score.
    /// </summary>
    Boost,

    /// <summary>
    /// Keep only the documents that contain the keywords (all or any, per <see cref="KeywordRerankOptions.Match"/>), with
    /// their scores; when no document of the query's list does, the list is kept whole.
    /// </summary>
    Filter,
}

/// <summary>Which keywords a document needs to pass <see cref="KeywordRerankMode.Filter"/>.</summary>
public enum KeywordMatch
{
    /// <summary>Every keyword of the query.</summary>
    All,

    /// <summary>At least one keyword of the query.</summary>
    Any,
}
