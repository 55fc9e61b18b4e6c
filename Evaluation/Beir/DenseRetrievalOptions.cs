using MLNetExt.Evaluation.Embeddings;

namespace MLNetExt.Evaluation.Beir;

/// <summary>Options of <see cref="DenseRetriever"/>; the defaults are BEIR's exact search.</summary>
public sealed class DenseRetrievalOptions
{
    /// <summary>Documents kept per query (the largest cut-off; BEIR keeps 1000).</summary>
    public int TopK { get; init; } = 1000;

    /// <summary>Cosine or dot product; other functions are refused (they are not used for retrieval in BEIR).</summary>
    public SimilarityFunction Similarity { get; init; } = SimilarityFunction.Cosine;

    /// <summary>Text put before every query (e.g. arctic-embed's "Represent this sentence for searching relevant passages: ").</summary>
    public string QueryPrefix { get; init; } = "";

    /// <summary>Text put before every document.</summary>
    public string DocumentPrefix { get; init; } = "";

    /// <summary>Encode title + " " + text (BEIR/MTEB); when false, only the text.</summary>
    public bool IncludeTitle { get; init; } = true;

    /// <summary>Never retrieve a document whose id equals the query id (BEIR's rule; it also drops them at evaluation).</summary>
    public bool SkipIdenticalIds { get; init; } = true;
}
