using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

/// <summary>How a sentence vector is taken from the token states.</summary>
public enum PoolingMode
{
    /// <summary>Average of the real (unmasked) tokens, as all-MiniLM-L6-v2 was trained.</summary>
    Mean,

    /// <summary>The state of the first ([CLS]) token, as arctic-embed and classic BERT classifiers.</summary>
    Cls,
}

/// <summary>Sentence pooling over a last hidden state.</summary>
public static class Pooling
{
    /// <summary>Pools [batch, seq, hidden] states into [batch, hidden] using the attention mask [batch, seq].</summary>
    public static Tensor Pool(Tensor hidden, Tensor attentionMask, PoolingMode mode)
    {
        using var scope = NewDisposeScope();
        Tensor pooled = mode switch
        {
            PoolingMode.Cls => hidden.select(1, 0),
            _ => MeanPool(hidden, attentionMask),
        };
        return pooled.MoveToOuterDisposeScope();
    }

    private static Tensor MeanPool(Tensor hidden, Tensor attentionMask)
    {
        Tensor mask = attentionMask.to_type(ScalarType.Float32).unsqueeze(-1);
        return (hidden * mask).sum(1) / mask.sum(1).clamp_min(1e-9);
    }
}
