using System.Numerics.Tensors;

namespace MLNetExt.Transforms;

/// <summary>
/// The parameter-free context compressors behind <c>CompressContext</c>: a text's <c>tokens x dimension</c> token
/// vectors become <c>K x dimension</c> vectors, K = ceil(tokens / ratio) or a fixed K, by averaging consecutive tokens
/// or clusters of similar tokens (<see cref="ContextCompressionMethod"/>).
/// </summary>
public static class ContextPooling
{
    /// <summary>The compression ratios accepted: 1 (every token), 2, 4 and 8.</summary>
    public static IReadOnlyList<int> Ratios { get; } = [1, 2, 4, 8];

    /// <summary>The number of vectors <paramref name="tokens"/> tokens compress to: the fixed count if given (at most the token count), else ceil(tokens / ratio).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is not 1, 2, 4 or 8, the fixed count is below 1, or there are no tokens.</exception>
    public static int VectorCount(int tokens, int ratio, int? fixedCount = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        CheckRatio(ratio, fixedCount);
        return fixedCount is int k ? Math.Min(k, tokens) : (tokens + ratio - 1) / ratio;
    }

    /// <summary>Checks a ratio (ignored when a fixed count is given) and a fixed count.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is not 1, 2, 4 or 8, or the fixed count is below 1.</exception>
    public static void CheckRatio(int ratio, int? fixedCount = null)
    {
        if (fixedCount is int k)
        {
            if (k < 1)
                throw new ArgumentOutOfRangeException(nameof(fixedCount), k, $"The fixed vector count must be at least 1; got {k}.");
            return;
        }
        if (!Ratios.Contains(ratio))
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, $"The compression ratio must be 1, 2, 4 or 8; got {ratio}.");
    }

    /// <summary>
    /// Compresses one text's token vectors (<c>tokens x dimension</c> floats, row-major) into <c>K x dimension</c> floats.
    /// </summary>
    /// <param name="states">The token vectors.</param>
    /// <param name="dimension">Floats per vector.</param>
    /// <param name="method">Consecutive means or cluster means.</param>
    /// <param name="ratio">Tokens per output vector: 1, 2, 4 or 8 (ignored when <paramref name="fixedCount"/> is given).</param>
    /// <param name="fixedCount">A fixed K instead of a ratio (a text with fewer tokens keeps one vector per token).</param>
    /// <param name="normalize">Scale token vectors to unit length before pooling and the pooled vectors after it, as late-interaction retrieval (cosine MaxSim) wants.</param>
    /// <exception cref="ArgumentException">The length is zero or not a multiple of <paramref name="dimension"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is not 1, 2, 4 or 8, or the fixed count is below 1.</exception>
    public static float[] Compress(ReadOnlySpan<float> states, int dimension, ContextCompressionMethod method, int ratio,
        int? fixedCount = null, bool normalize = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (states.Length == 0 || states.Length % dimension != 0)
            throw new ArgumentException($"Expected one or more token vectors of {dimension} floats; got {states.Length} floats.", nameof(states));
        int tokens = states.Length / dimension;
        int k = VectorCount(tokens, ratio, fixedCount);

        float[] source = states.ToArray();
        if (normalize)
            for (int t = 0; t < tokens; t++)
                SentencePooling.Normalize(source.AsSpan(t * dimension, dimension));

        int[] group = method switch
        {
            ContextCompressionMethod.Mean => ConsecutiveGroups(tokens, k, fixedCount is null ? ratio : 0),
            ContextCompressionMethod.Cluster => WardClustering.Cluster(source, tokens, dimension, k),
            ContextCompressionMethod.Learned => throw new ArgumentOutOfRangeException(nameof(method), method,
                "The learned method runs a trained compressor: use LearnedContextCompressor.Compress or CompressContextOptions.Compressor."),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown compression method."),
        };

        var result = new float[k * dimension];
        var sizes = new int[k];
        for (int t = 0; t < tokens; t++)
        {
            Span<float> target = result.AsSpan(group[t] * dimension, dimension);
            TensorPrimitives.Add(target, source.AsSpan(t * dimension, dimension), target);
            sizes[group[t]]++;
        }
        for (int g = 0; g < k; g++)
        {
            Span<float> vector = result.AsSpan(g * dimension, dimension);
            TensorPrimitives.Multiply(vector, 1f / sizes[g], vector);
            if (normalize)
                SentencePooling.Normalize(vector);
        }
        return result;
    }

    /// <summary>
    /// The pooling matrix of the learned method for one text of <paramref name="tokens"/> tokens (<c>[CLS]</c> and
    /// <c>[SEP]</c> included): K x tokens, row k holding 1/|group k| on the word pieces of consecutive group k and 0
    /// elsewhere (<c>[CLS]</c> and <c>[SEP]</c> are never pooled; a text of two tokens or fewer pools them all).
    /// </summary>
    internal static float[] PoolingMatrix(int tokens, int ratio, int? fixedCount, out int k)
    {
        (int first, int count) = tokens > 2 ? (1, tokens - 2) : (0, tokens);
        int[] group = ConsecutiveGroups(count, ratio, fixedCount, out k);
        var sizes = new int[k];
        foreach (int g in group)
            sizes[g]++;
        var pooling = new float[k * tokens];
        for (int t = 0; t < count; t++)
            pooling[group[t] * tokens + first + t] = 1f / sizes[group[t]];
        return pooling;
    }

    /// <summary>
    /// The consecutive group (0..K-1) of each of <paramref name="tokens"/> tokens, as the mean method groups them: runs of
    /// <paramref name="ratio"/> tokens, or with a fixed count K near-equal runs.
    /// </summary>
    internal static int[] ConsecutiveGroups(int tokens, int ratio, int? fixedCount, out int k)
    {
        k = VectorCount(tokens, ratio, fixedCount);
        return ConsecutiveGroups(tokens, k, fixedCount is null ? ratio : 0);
    }

    /// <summary>Group of each token: runs of <paramref name="ratio"/> tokens, or (ratio 0) <paramref name="k"/> near-equal runs.</summary>
    private static int[] ConsecutiveGroups(int tokens, int k, int ratio)
    {
        var group = new int[tokens];
        for (int t = 0; t < tokens; t++)
            group[t] = ratio > 0 ? t / ratio : (int)((long)t * k / tokens);
        return group;
    }
}
