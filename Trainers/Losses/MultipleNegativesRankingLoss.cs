using static TorchSharp.torch;

namespace MLNetExt.Trainers.Losses;

/// <summary>
/// Multiple negatives ranking loss (in-batch negatives; Henderson et al. 2017, "Efficient Natural Language Response
/// Suggestion for Smart Reply", and sentence-transformers' <c>MultipleNegativesRankingLoss</c>): for each anchor the
/// cross-entropy of picking its own positive among every positive and hard negative of the batch, over cosine
/// similarities times <see cref="Scale"/>.
/// </summary>
/// <remarks>
/// Input columns: anchor, positive, then optional hard-negative columns (one negative per column per row).
/// Pick it when you have only positive pairs (question-answer, query-document, paraphrase, entailment pairs): every
/// other row of the batch acts as a negative, so larger batches give a harder task. With
/// <see cref="Symmetric"/> each positive must also find its anchor (sentence-transformers'
/// <c>MultipleNegativesSymmetricRankingLoss</c>). For batches too large for memory use
/// <see cref="CachedMultipleNegativesRankingLoss"/>, which computes the same loss and gradients.
/// </remarks>
public sealed class MultipleNegativesRankingLoss : SentenceEmbeddingLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="scale">Multiplier of the cosine similarities (inverse temperature); sentence-transformers uses 20.</param>
    /// <param name="symmetric">Also score each positive against all anchors and average the two directions.</param>
    public MultipleNegativesRankingLoss(double scale = 20.0, bool symmetric = false)
    {
        if (!(scale > 0))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be positive.");
        Scale = scale;
        Symmetric = symmetric;
    }

    /// <summary>Multiplier of the cosine similarities.</summary>
    public double Scale { get; }

    /// <summary>Whether the positive-to-anchor direction is added.</summary>
    public bool Symmetric { get; }

    /// <inheritdoc/>
    public override SentenceLossInput Input => SentenceLossInput.AnchorPositive;

    /// <inheritdoc/>
    public override string Name => Symmetric ? "mnrl-symmetric" : "mnrl";

    /// <inheritdoc/>
    public override Tensor Forward(IReadOnlyList<Tensor> embeddings, Tensor? targets)
    {
        RequireColumns(embeddings, 2);
        Tensor anchors = embeddings[0];
        RequireInBatchNegatives(anchors);
        using var scope = NewDisposeScope();
        Tensor candidates = embeddings.Count == 2 ? embeddings[1] : cat(embeddings.Skip(1).ToArray(), 0);
        Tensor labels = arange(anchors.shape[0], dtype: ScalarType.Int64, device: anchors.device);
        Tensor loss = nn.functional.cross_entropy(CosineMatrix(anchors, candidates) * Scale, labels);
        if (Symmetric)
            loss = (loss + nn.functional.cross_entropy(CosineMatrix(embeddings[1], anchors) * Scale, labels)) / 2;
        return loss.MoveToOuterDisposeScope();
    }
}
