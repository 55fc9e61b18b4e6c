using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Sts;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>
/// Scores scored sentence pairs during training with the <see cref="StsEvaluator"/> (sentence-transformers'
/// <c>EmbeddingSimilarityEvaluator</c>): Pearson and Spearman of cosine, dot, Euclidean and Manhattan similarity
/// against the gold scores; primary metric <c>cosine_spearman</c>.
/// </summary>
public sealed class StsTrainingEvaluator : SentenceEncoderEvaluator
{
    private readonly IReadOnlyList<StsPair> _pairs;

    /// <summary>Creates the evaluator.</summary>
    /// <param name="pairs">The pairs (e.g. <c>StsReader.Read("sts-dev.tsv")</c>); at least 2.</param>
    /// <param name="name">Prefix of its metrics.</param>
    public StsTrainingEvaluator(IReadOnlyList<StsPair> pairs, string name = "sts")
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (pairs.Count < 2)
            throw new ArgumentException($"STS evaluation needs at least 2 pairs, got {pairs.Count}.", nameof(pairs));
        _pairs = pairs;
        Name = name;
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override string PrimaryMetric => "cosine_spearman";

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, double> Evaluate(ITextEmbedder embedder, CancellationToken cancellationToken) =>
        StsEvaluator.Evaluate(_pairs, embedder, cancellationToken: cancellationToken).ByName;
}
