using MLNetExt.Transforms;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

/// <summary>
/// Sentence pooling over a last hidden state in TorchSharp, for every <see cref="EncoderPooling"/>, with the arithmetic
/// of inference (<c>EncodeText</c>'s pooling and the exported ONNX head).
/// </summary>
public static class Pooling
{
    /// <summary>Pools [batch, seq, hidden] states into [batch, hidden] using the attention mask [batch, seq].</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pooling"/> is not a defined value.</exception>
    public static Tensor Pool(Tensor hidden, Tensor attentionMask, EncoderPooling pooling)
    {
        using var scope = NewDisposeScope();
        Tensor mask = attentionMask.to_type(ScalarType.Float32).unsqueeze(-1);
        Tensor pooled = pooling switch
        {
            EncoderPooling.Cls => hidden.select(1, 0),
            EncoderPooling.Mean => (hidden * mask).sum(1) / mask.sum(1).clamp_min(1e-9),
            EncoderPooling.MeanSqrtLen => (hidden * mask).sum(1) / mask.sum(1).clamp_min(1e-9).sqrt(),
            // Padding gets -1e9 (as sentence-transformers and the exported graph do) so that it never wins the maximum.
            EncoderPooling.Max => (hidden * mask + (1f - mask) * -1e9f).amax(1),
            _ => throw new ArgumentOutOfRangeException(nameof(pooling), pooling,
                $"Unknown pooling {pooling}; expected one of {string.Join(", ", Enum.GetNames<EncoderPooling>())}."),
        };
        return pooled.MoveToOuterDisposeScope();
    }
}
