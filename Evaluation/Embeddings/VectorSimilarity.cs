using System.Numerics.Tensors;

namespace MLNetExt.Evaluation.Embeddings;

/// <summary>How two embeddings are compared.</summary>
public enum SimilarityFunction
{
    /// <summary>Cosine similarity.</summary>
    Cosine,

    /// <summary>Dot product.</summary>
    Dot,

    /// <summary>Negated Euclidean distance (higher = more similar, as sentence-transformers scores it).</summary>
    Euclidean,

    /// <summary>Negated Manhattan distance (higher = more similar).</summary>
    Manhattan,
}

/// <summary>Similarity functions over float embeddings, computed with System.Numerics.Tensors where it has the operation.</summary>
public static class VectorSimilarity
{
    /// <summary>The similarity of two equally long vectors under <paramref name="function"/>.</summary>
    public static float Compute(SimilarityFunction function, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"Embeddings differ in length: {a.Length} vs {b.Length}.", nameof(b));
        return function switch
        {
            SimilarityFunction.Cosine => Cosine(a, b),
            SimilarityFunction.Dot => TensorPrimitives.Dot(a, b),
            SimilarityFunction.Euclidean => -TensorPrimitives.Distance(a, b),
            SimilarityFunction.Manhattan => -Manhattan(a, b),
            _ => throw new ArgumentOutOfRangeException(nameof(function), function, "Unknown similarity function."),
        };
    }

    /// <summary>Cosine similarity; 0 when either vector is all zeros.</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float na = TensorPrimitives.Norm(a), nb = TensorPrimitives.Norm(b);
        return na == 0 || nb == 0 ? 0 : TensorPrimitives.Dot(a, b) / (na * nb);
    }

    /// <summary>Scales <paramref name="v"/> to unit length in place (all-zero vectors stay zero).</summary>
    public static void Normalize(Span<float> v)
    {
        float norm = TensorPrimitives.Norm(v);
        if (norm > 0)
            TensorPrimitives.Divide(v, norm, v);
    }

    private static float Manhattan(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += MathF.Abs(a[i] - b[i]);
        return sum;
    }
}
