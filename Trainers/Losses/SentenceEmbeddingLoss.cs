using MLNetExt.Transforms;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Losses;

/// <summary>What a sentence-embedding loss reads from each training row.</summary>
public enum SentenceLossInput
{
    /// <summary>Two or more text columns: an anchor, its positive, then optional hard negatives (in-batch losses).</summary>
    AnchorPositive,

    /// <summary>Two text columns and a similarity score (CoSENT, cosine similarity).</summary>
    ScoredPair,

    /// <summary>One text column; the loss makes its own views of each text (self-supervised: Mirror-BERT, SimCSE).</summary>
    SingleText,

    /// <summary>One text column and a teacher's embedding of it (a vector of Single): distillation.</summary>
    TextWithTeacherEmbedding,
}

/// <summary>
/// A loss over sentence embeddings, as sentence-transformers' <c>losses</c> package defines them: each loss says which
/// columns it reads (<see cref="Input"/>) and computes a scalar from the embeddings of one batch
/// (<see cref="Forward"/>). Trainers (contrastive, distillation, compression) embed the batch with their model and
/// call <see cref="Forward"/>, or <see cref="LossAndGradients"/> when the loss manages its own backward pass
/// (<see cref="CachedMultipleNegativesRankingLoss"/>).
/// </summary>
public abstract class SentenceEmbeddingLoss
{
    /// <summary>The columns the loss reads.</summary>
    public abstract SentenceLossInput Input { get; }

    /// <summary>Whether the loss contrasts rows of one batch with each other (it then needs at least two rows per batch).</summary>
    public virtual bool UsesInBatchNegatives => Input is SentenceLossInput.AnchorPositive or SentenceLossInput.SingleText;

    /// <summary>A short name for logs and reports, e.g. <c>mnrl</c>.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The loss of one batch: <paramref name="embeddings"/> holds one [batch, dim] tensor per text column (for
    /// <see cref="SentenceLossInput.SingleText"/>, one per view); <paramref name="targets"/> the [batch] scores of
    /// scored pairs or the [batch, dim] teacher embeddings of distillation, otherwise null.
    /// </summary>
    public abstract Tensor Forward(IReadOnlyList<Tensor> embeddings, Tensor? targets);

    /// <summary>
    /// Embeds a batch with <paramref name="encoder"/>, computes the loss and its gradients (<c>backward</c>), and
    /// returns the loss. The default embeds every column with gradients; losses that cache embeddings override it.
    /// </summary>
    public virtual Tensor LossAndGradients(SentenceEmbeddingModel encoder, ContrastiveBatch batch)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(batch);
        Tensor loss = Forward(batch.Columns.Select(c => encoder.forward(c.InputIds, c.AttentionMask, c.TokenTypeIds)).ToList(), batch.Targets);
        loss.backward();
        return loss;
    }

    /// <summary>The views of single texts fed to the encoder (self-supervised losses override it; others return the columns).</summary>
    internal virtual IReadOnlyList<TokenizedText[]> Views(IReadOnlyList<TokenizedText[]> columns, int maskTokenId) => columns;

    /// <summary>Checks the embedding list has at least <paramref name="count"/> tensors of equal shape.</summary>
    protected void RequireColumns(IReadOnlyList<Tensor> embeddings, int count)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        if (embeddings.Count < count)
            throw new ArgumentException($"The {Name} loss needs at least {count} embedding columns, got {embeddings.Count}.", nameof(embeddings));
        long rows = embeddings[0].shape[0];
        for (int i = 1; i < embeddings.Count; i++)
            if (embeddings[i].shape[0] != rows)
                throw new ArgumentException($"Embedding column {i} has {embeddings[i].shape[0]} rows, column 0 has {rows}.", nameof(embeddings));
    }

    /// <summary>Checks a batch has at least two rows, which in-batch negatives need.</summary>
    protected void RequireInBatchNegatives(Tensor anchors)
    {
        if (anchors.shape[0] < 2)
            throw new ArgumentException(
                $"The {Name} loss uses the other rows of a batch as negatives and needs at least 2 rows per batch, got {anchors.shape[0]}.");
    }

    /// <summary>Cosine similarity of every row of <paramref name="a"/> with every row of <paramref name="b"/>: [rows a, rows b].</summary>
    public static Tensor CosineMatrix(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        Tensor na = nn.functional.normalize(a, p: 2, dim: 1);
        Tensor nb = nn.functional.normalize(b, p: 2, dim: 1);
        return na.matmul(nb.t()).MoveToOuterDisposeScope();
    }

    /// <summary>Row-wise cosine similarity of two [rows, dim] tensors: [rows].</summary>
    public static Tensor PairwiseCosine(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        Tensor na = nn.functional.normalize(a, p: 2, dim: 1);
        Tensor nb = nn.functional.normalize(b, p: 2, dim: 1);
        return (na * nb).sum(1).MoveToOuterDisposeScope();
    }
}
