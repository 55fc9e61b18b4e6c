using static TorchSharp.torch;

namespace MLNetExt.Trainers.Losses;

/// <summary>
/// Cosine similarity loss (Reimers and Gurevych 2019, "Sentence-BERT"; sentence-transformers'
/// <c>CosineSimilarityLoss</c>): mean squared error between the cosine similarity of each pair and its gold score.
/// </summary>
/// <remarks>
/// Input columns: first text, second text, score. Scores must lie in [-1, 1]; the trainer maps a declared score range
/// (e.g. STS-B's 0-5) onto [0, 1]. Pick it when the absolute similarity value matters (a threshold is applied to
/// cosine afterwards); for ranking quality (Spearman) <see cref="CoSentLoss"/> usually trains better.
/// </remarks>
public sealed class CosineSimilarityLoss : SentenceEmbeddingLoss
{
    /// <inheritdoc/>
    public override SentenceLossInput Input => SentenceLossInput.ScoredPair;

    /// <inheritdoc/>
    public override string Name => "cosine";

    /// <inheritdoc/>
    public override Tensor Forward(IReadOnlyList<Tensor> embeddings, Tensor? targets)
    {
        RequireColumns(embeddings, 2);
        ArgumentNullException.ThrowIfNull(targets, nameof(targets));
        using var scope = NewDisposeScope();
        return nn.functional.mse_loss(PairwiseCosine(embeddings[0], embeddings[1]), targets.to_type(ScalarType.Float32)).MoveToOuterDisposeScope();
    }
}
