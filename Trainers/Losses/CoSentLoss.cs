using static TorchSharp.torch;

namespace MLNetExt.Trainers.Losses;

/// <summary>
/// CoSENT loss (Su Jianlin 2022, "CoSENT: a more efficient sentence vector scheme than Sentence-BERT"; sentence-
/// transformers' <c>CoSENTLoss</c>): for every two pairs of a batch whose gold scores are ordered, a penalty when their
/// cosine similarities are ordered the other way: <c>log(1 + Σ exp(scale · (cos_j − cos_i)))</c> over pairs with
/// <c>score_i &gt; score_j</c>.
/// </summary>
/// <remarks>
/// Input columns: first text, second text, score (any scale: only the order of scores matters). Pick it for scored
/// sentence pairs such as STS-B or SICK: it optimises the ranking that Spearman correlation measures and trains the
/// cosine similarity the encoder is served with, where a regression head or <see cref="CosineSimilarityLoss"/>'s
/// squared error pulls every pair towards an absolute value.
/// </remarks>
public sealed class CoSentLoss : SentenceEmbeddingLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="scale">Multiplier of the cosine differences (inverse temperature); the reference uses 20.</param>
    public CoSentLoss(double scale = 20.0)
    {
        if (!(scale > 0))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be positive.");
        Scale = scale;
    }

    /// <summary>Multiplier of the cosine differences.</summary>
    public double Scale { get; }

    /// <inheritdoc/>
    public override SentenceLossInput Input => SentenceLossInput.ScoredPair;

    /// <inheritdoc/>
    public override string Name => "cosent";

    /// <inheritdoc/>
    public override Tensor Forward(IReadOnlyList<Tensor> embeddings, Tensor? targets)
    {
        RequireColumns(embeddings, 2);
        ArgumentNullException.ThrowIfNull(targets, nameof(targets));
        using var scope = NewDisposeScope();
        Tensor cosine = PairwiseCosine(embeddings[0], embeddings[1]) * Scale;
        // differences[i, j] = cos_i - cos_j, kept where score_i < score_j (the pair the model should rank lower).
        Tensor differences = cosine.unsqueeze(1) - cosine.unsqueeze(0);
        Tensor ordered = targets.unsqueeze(1).lt(targets.unsqueeze(0));
        Tensor masked = differences.masked_fill(ordered.logical_not(), -1e12);
        Tensor withZero = cat([zeros(1, dtype: masked.dtype, device: masked.device), masked.reshape(-1)], 0);
        return withZero.logsumexp(0).MoveToOuterDisposeScope();
    }
}
