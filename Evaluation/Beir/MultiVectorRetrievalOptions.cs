namespace MLNetExt.Evaluation.Beir;

/// <summary>Options of <see cref="MultiVectorRetriever"/>; the defaults are BEIR's exact search.</summary>
public sealed class MultiVectorRetrievalOptions
{
    /// <summary>Documents kept per query (the largest cut-off; BEIR keeps 1000).</summary>
    public int TopK { get; init; } = 1000;

    /// <summary>Text put before every query.</summary>
    public string QueryPrefix { get; init; } = "";

    /// <summary>Text put before every document.</summary>
    public string DocumentPrefix { get; init; } = "";

    /// <summary>Encode title + " " + text (BEIR/MTEB); when false, only the text.</summary>
    public bool IncludeTitle { get; init; } = true;

    /// <summary>Never retrieve a document whose id equals the query id (BEIR's rule).</summary>
    public bool SkipIdenticalIds { get; init; } = true;

    /// <summary>
    /// Documents held before they are scored against all queries and dropped; memory is bounded by this block (per
    /// variant) plus the top-k heaps. Default 64.
    /// </summary>
    public int BlockDocuments { get; init; } = 64;
}
