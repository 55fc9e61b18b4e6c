namespace MLNetExt.Evaluation.Beir;

/// <summary>
/// Options of <see cref="Bm25Retriever"/>. Defaults follow Anserini's BEIR "flat" baseline: title and text in one
/// field, k1 = 0.9, b = 0.4, Lucene's English analysis (standard tokenizer, possessive removal, lower-casing,
/// Lucene's default English stop words, Porter stemming).
/// </summary>
public sealed class Bm25Options
{
    /// <summary>Term-frequency saturation (Anserini: 0.9).</summary>
    public float K1 { get; init; } = 0.9f;

    /// <summary>Length normalisation (Anserini: 0.4).</summary>
    public float B { get; init; } = 0.4f;

    /// <summary>Documents kept per query.</summary>
    public int TopK { get; init; } = 1000;

    /// <summary>Index title + " " + text in one field ("flat"); when false, only the text.</summary>
    public bool IncludeTitle { get; init; } = true;

    /// <summary>Never return a document whose id equals the query id (BEIR's rule).</summary>
    public bool SkipIdenticalIds { get; init; } = true;
}
