using static TorchSharp.torch;

namespace MLNetExt.Trainers.Losses;

/// <summary>
/// CLIP's contrastive loss (Radford et al. 2021, "Learning Transferable Visual Models From Natural Language
/// Supervision"): cosine similarities of two towers' embeddings times a learnable scale <c>exp(t)</c>, cross-entropy in
/// both directions (row i of one tower must pick row i of the other), averaged.
/// </summary>
/// <remarks>
/// Input: the two towers' embeddings of the same rows, and the log-scale parameter (CLIP initialises it to
/// log(1/0.07) and caps the scale at 100). Pick it to align two modalities (text and feature vectors, CellCLIP,
/// LiMBeR); for two texts, <see cref="MultipleNegativesRankingLoss"/> with <c>symmetric</c> is the same loss at a fixed scale.
/// </remarks>
public static class SymmetricInfoNceLoss
{
    /// <summary>CLIP's initial log-scale, log(1 / 0.07).</summary>
    public static readonly double InitialLogScale = Math.Log(1 / 0.07);

    /// <summary>CLIP's largest scale.</summary>
    public const double MaxScale = 100;

    /// <summary>The loss of a batch: <paramref name="a"/> and <paramref name="b"/> [rows, dim]; <paramref name="logScale"/> a scalar.</summary>
    public static Tensor Forward(Tensor a, Tensor b, Tensor logScale)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(logScale);
        if (a.shape[0] != b.shape[0])
            throw new ArgumentException($"The towers embedded {a.shape[0]} and {b.shape[0]} rows.", nameof(b));
        if (a.shape[0] < 2)
            throw new ArgumentException($"The contrastive loss needs at least 2 rows per batch, got {a.shape[0]}.", nameof(a));
        using var scope = NewDisposeScope();
        Tensor logits = SentenceEmbeddingLoss.CosineMatrix(a, b) * logScale.exp().clamp_max(MaxScale);
        Tensor labels = arange(a.shape[0], dtype: ScalarType.Int64, device: a.device);
        return ((nn.functional.cross_entropy(logits, labels) + nn.functional.cross_entropy(logits.t(), labels)) / 2).MoveToOuterDisposeScope();
    }
}
