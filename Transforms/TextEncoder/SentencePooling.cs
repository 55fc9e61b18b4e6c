using System.Numerics.Tensors;

namespace MLNetExt.Transforms;

/// <summary>Pooling of one row's token vectors into a sentence vector, and L2 normalisation, as sentence-transformers defines them.</summary>
internal static class SentencePooling
{
    /// <summary>
    /// Pools the first <paramref name="tokens"/> vectors of <paramref name="states"/> (tokens x hidden, row-major) into
    /// <paramref name="destination"/> (hidden). Padding past <paramref name="tokens"/> is never read.
    /// </summary>
    public static void Pool(ReadOnlySpan<float> states, int tokens, int hidden, EncoderPooling pooling, bool normalize, Span<float> destination)
    {
        destination = destination[..hidden];
        switch (pooling)
        {
            case EncoderPooling.Cls:
                states[..hidden].CopyTo(destination);
                break;
            case EncoderPooling.Max:
                states[..hidden].CopyTo(destination);
                for (int t = 1; t < tokens; t++)
                    TensorPrimitives.Max(destination, states.Slice(t * hidden, hidden), destination);
                break;
            case EncoderPooling.Mean:
            case EncoderPooling.MeanSqrtLen:
                states[..hidden].CopyTo(destination);
                for (int t = 1; t < tokens; t++)
                    TensorPrimitives.Add(destination, states.Slice(t * hidden, hidden), destination);
                float divisor = pooling == EncoderPooling.Mean ? tokens : MathF.Sqrt(tokens);
                TensorPrimitives.Multiply(destination, 1f / Math.Max(divisor, 1e-9f), destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "Unknown pooling.");
        }
        if (normalize)
            Normalize(destination);
    }

    /// <summary>Scales to unit L2 length; a zero vector stays zero (torch.nn.functional.normalize with eps 1e-12).</summary>
    public static void Normalize(Span<float> vector)
    {
        float norm = TensorPrimitives.Norm(vector);
        TensorPrimitives.Multiply(vector, 1f / Math.Max(norm, 1e-12f), vector);
    }
}
