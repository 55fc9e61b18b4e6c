using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Transforms;

namespace MLNetExt.Evaluation.Beir;

/// <summary>
/// Ready-made <see cref="MultiVectorVariant"/>s over an encoder's token states (all tokens, <c>[CLS]</c> and
/// <c>[SEP]</c> included, as <c>EncodeText</c>'s token-embeddings column gives them), so that one encoding pass scores
/// the single-vector baseline and every compression ratio side by side.
/// </summary>
public static class LateInteractionVariants
{
    /// <summary>
    /// The single-vector system: query and document each pooled into one vector as <c>EncodeText</c> pools them, then
    /// scaled to unit length; MaxSim of one vector against one vector is their cosine, as <see cref="DenseRetriever"/> scores.
    /// </summary>
    /// <param name="pooling">The model's pooling (<see cref="EncoderConfig.Pooling"/>).</param>
    /// <param name="normalize">The model's normalisation (<see cref="EncoderConfig.Normalize"/>).</param>
    public static MultiVectorVariant Dense(EncoderPooling pooling, bool normalize)
    {
        float[] Pool(ReadOnlySpan<float> states, int dimension)
        {
            var vector = new float[dimension];
            SentencePooling.Pool(states, states.Length / dimension, dimension, pooling, normalize, vector);
            VectorSimilarity.Normalize(vector);
            return vector;
        }
        return new MultiVectorVariant($"single vector ({pooling.ToString().ToLowerInvariant()} pooling)", Pool, Pool);
    }

    /// <summary>
    /// Late interaction over compressed documents: every query word piece is a unit vector; each document's word pieces
    /// are compressed by <see cref="ContextPooling.Compress"/> as <c>CompressContext</c> does (ratio 1 keeps every token).
    /// </summary>
    /// <param name="method">Consecutive means or cluster means.</param>
    /// <param name="ratio">Tokens per document vector: 1, 2, 4 or 8.</param>
    /// <param name="precision">How document vectors are stored.</param>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is not 1, 2, 4 or 8.</exception>
    public static MultiVectorVariant Compressed(ContextCompressionMethod method, int ratio, MultiVectorPrecision precision = MultiVectorPrecision.Float32)
    {
        ContextPooling.CheckRatio(ratio);
        string name = ratio == 1
            ? "MaxSim, every token"
            : $"MaxSim, {method.ToString().ToLowerInvariant()} x{ratio}";
        if (precision == MultiVectorPrecision.Int8)
            name += ", int8";
        return new MultiVectorVariant(name,
            (states, dimension) => ContextPooling.Compress(WordPieces(states, dimension), dimension, ContextCompressionMethod.Mean, 1),
            (states, dimension) => ContextPooling.Compress(WordPieces(states, dimension), dimension, method, ratio),
            precision);
    }

    /// <summary>
    /// Late interaction through a trained ARC-style compressor: queries keep one vector per word piece (the compressor at
    /// ratio 1), documents are compressed at <paramref name="ratio"/>; both as <see cref="LearnedContextCompressor.Compress"/>
    /// gives them from the compressor's encoder's token states (encode with <see cref="LearnedContextCompressor.Encoder"/>).
    /// Texts go through the compressor's graph <paramref name="batchSize"/> at a time
    /// (<see cref="LearnedContextCompressor.CompressBatch"/>, texts of similar length together), which gives the same vectors.
    /// </summary>
    /// <param name="compressor">The trained compressor (the caller keeps and disposes it).</param>
    /// <param name="ratio">Word pieces per document vector: 1, 2, 4 or 8.</param>
    /// <param name="precision">How document vectors are stored.</param>
    /// <param name="batchSize">Texts per run of the compressor's graph; 1 compresses one text at a time.</param>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is not 1, 2, 4 or 8, or the batch size is below 1.</exception>
    public static MultiVectorVariant Learned(LearnedContextCompressor compressor, int ratio, MultiVectorPrecision precision = MultiVectorPrecision.Float32,
        int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(compressor);
        ContextPooling.CheckRatio(ratio);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        string name = $"MaxSim, learned x{ratio}" + (precision == MultiVectorPrecision.Int8 ? ", int8" : "");
        return new MultiVectorVariant(name,
            (states, _) => compressor.Compress(states, 1),
            (states, _) => compressor.Compress(states, ratio),
            precision)
        {
            Dimension = compressor.Dimension,
            QueryBatchVectors = batchSize == 1 ? null : (states, _) => CompressInBatches(compressor, states, 1, batchSize),
            DocumentBatchVectors = batchSize == 1 ? null : (states, _) => CompressInBatches(compressor, states, ratio, batchSize),
        };
    }

    /// <summary>Compresses the texts <paramref name="batchSize"/> at a time, shortest first so that a batch pads little; results in the texts' order.</summary>
    private static float[][] CompressInBatches(LearnedContextCompressor compressor, IReadOnlyList<ReadOnlyMemory<float>> states, int ratio, int batchSize)
    {
        int[] order = Enumerable.Range(0, states.Count).OrderBy(i => states[i].Length).ToArray();
        var result = new float[states.Count][];
        for (int start = 0; start < order.Length; start += batchSize)
        {
            int[] chunk = order[start..Math.Min(order.Length, start + batchSize)];
            float[][] vectors = compressor.CompressBatch(chunk.Select(i => states[i]).ToArray(), ratio);
            for (int k = 0; k < chunk.Length; k++)
                result[chunk[k]] = vectors[k];
        }
        return result;
    }

    /// <summary>The text's word pieces: every token but the first (<c>[CLS]</c>) and last (<c>[SEP]</c>); all tokens when the text has none.</summary>
    private static ReadOnlySpan<float> WordPieces(ReadOnlySpan<float> states, int dimension) =>
        states.Length > 2 * dimension ? states[dimension..^dimension] : states;
}
