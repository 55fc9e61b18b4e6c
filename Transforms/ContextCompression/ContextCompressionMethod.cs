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
}
