namespace MLNetExt.Transforms;

/// <summary>How <c>CompressContext</c> turns a text's token vectors into fewer vectors.</summary>
public enum ContextCompressionMethod
{
    /// <summary>Mean of consecutive token vectors: groups of <c>ratio</c> neighbouring tokens (or K near-equal runs) each become one vector.</summary>
    Mean,

    /// <summary>
    /// Token pooling by clustering: agglomerative (Ward) clustering of the token vectors into K groups of similar tokens,
    /// wherever they stand in the text, each group averaged into one vector (as in Clavié et al., 2024, "Reducing the
    /// footprint of multi-vector retrieval with minimal performance impact via token pooling"). Vectors are ordered by
    /// the first token of their group.
    /// </summary>
    Cluster,

    /// <summary>
    /// ARC-style learned pooling (Pilchen et al., 2025, "ARC-Encoder: learning compressed text representations for large
    /// language models"): in the encoder's last layer each output vector's query is the average of its group of
    /// consecutive token queries, attending over every token's keys and values, and an MLP projects the result to the
    /// compressor's width. Needs a trained <see cref="LearnedContextCompressor"/> (<see cref="CompressContextOptions.Compressor"/>).
    /// </summary>
    Learned,
}
