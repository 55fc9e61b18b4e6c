namespace MLNetExt.Evaluation.Beir;

/// <summary>
/// Maps one text's token states (<c>tokens x dimension</c> floats, row-major, as the encoder gave them) to the vectors
/// stored or scored for it (<c>K x dimension</c>, K at least 1).
/// </summary>
public delegate float[] TokenVectorMapper(ReadOnlySpan<float> tokenStates, int dimension);

/// <summary>
/// Maps several texts' token states at once (each as <see cref="TokenVectorMapper"/> takes it) to their vectors, in
/// order; for mappers that run faster on a batch (a learned compressor's graph), and must give what the per-text mapper gives.
/// </summary>
public delegate float[][] TokenBatchVectorMapper(IReadOnlyList<ReadOnlyMemory<float>> tokenStates, int dimension);

/// <summary>
/// One late-interaction system scored by <see cref="MultiVectorRetriever"/>: how queries and documents become vectors
/// from the encoder's token states, and how document vectors are stored. Several variants share one encoding pass.
/// </summary>
public sealed class MultiVectorVariant
{
    /// <summary>Creates a variant.</summary>
    /// <param name="name">Name shown in reports, e.g. "MaxSim, mean x4".</param>
    /// <param name="queryVectors">Query token states to query vectors.</param>
    /// <param name="documentVectors">Document token states to stored document vectors.</param>
    /// <param name="precision">How document vectors are stored.</param>
    public MultiVectorVariant(string name, TokenVectorMapper queryVectors, TokenVectorMapper documentVectors,
        MultiVectorPrecision precision = MultiVectorPrecision.Float32)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        QueryVectors = queryVectors ?? throw new ArgumentNullException(nameof(queryVectors));
        DocumentVectors = documentVectors ?? throw new ArgumentNullException(nameof(documentVectors));
        if (!Enum.IsDefined(precision))
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown precision.");
        Precision = precision;
    }

    /// <summary>Name shown in reports.</summary>
    public string Name { get; }

    /// <summary>Query token states to query vectors.</summary>
    public TokenVectorMapper QueryVectors { get; }

    /// <summary>Document token states to stored document vectors.</summary>
    public TokenVectorMapper DocumentVectors { get; }

    /// <summary>How document vectors are stored.</summary>
    public MultiVectorPrecision Precision { get; }

    /// <summary>
    /// Floats per vector the mappers return when it differs from the encoder's token states (a learned compressor's
    /// projector width); null (default) means the same width as the token states.
    /// </summary>
    public int? Dimension { get; init; }

    /// <summary>
    /// When set, <see cref="MultiVectorRetriever"/> maps queries through this instead of <see cref="QueryVectors"/>, a
    /// batch of texts at a time; it must give the same vectors. Null (default): one text at a time.
    /// </summary>
    public TokenBatchVectorMapper? QueryBatchVectors { get; init; }

    /// <summary>
    /// When set, <see cref="MultiVectorRetriever"/> maps each block of documents through this instead of
    /// <see cref="DocumentVectors"/>; it must give the same vectors. Null (default): one document at a time.
    /// </summary>
    public TokenBatchVectorMapper? DocumentBatchVectors { get; init; }
}
