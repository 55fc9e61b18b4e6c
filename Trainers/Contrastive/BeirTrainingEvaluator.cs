using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>
/// Scores retrieval on a BEIR split during training with the <see cref="BeirEvaluator"/> (sentence-transformers'
/// <c>InformationRetrievalEvaluator</c>): exact dense retrieval over the whole corpus, then trec_eval measures
/// (<c>ndcg_cut_10</c>, <c>recall_100</c>, ...); primary metric <c>ndcg_cut_10</c>. Each evaluation encodes the corpus,
/// so evaluate once per epoch or every many steps on large corpora.
/// </summary>
public sealed class BeirTrainingEvaluator : SentenceEncoderEvaluator
{
    private readonly BeirDataset _dataset;
    private readonly DenseRetrievalOptions? _retrieval;
    private readonly RankingEvaluatorOptions? _evaluation;

    /// <summary>Creates the evaluator.</summary>
    /// <param name="dataset">The split scored (e.g. <c>BeirReader.Load(folder, "dev")</c>); do not select a model on the split you report.</param>
    /// <param name="retrieval">Retrieval options (prefixes, title, similarity); BEIR's by default.</param>
    /// <param name="evaluation">Cut-offs; BEIR's by default.</param>
    /// <param name="name">Prefix of its metrics.</param>
    public BeirTrainingEvaluator(BeirDataset dataset, DenseRetrievalOptions? retrieval = null, RankingEvaluatorOptions? evaluation = null, string name = "beir")
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(name);
        int[] cutoffs = (evaluation ?? new RankingEvaluatorOptions()).Cutoffs.ToArray();
        if (!cutoffs.Contains(10))
            throw new ArgumentOutOfRangeException(nameof(evaluation), string.Join(",", cutoffs), "The cut-offs must include 10 (the primary metric is ndcg_cut_10).");
        _dataset = dataset;
        _retrieval = retrieval;
        _evaluation = evaluation;
        Name = name;
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override string PrimaryMetric => "ndcg_cut_10";

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, double> Evaluate(ITextEmbedder embedder, CancellationToken cancellationToken) =>
        BeirEvaluator.EvaluateDense(_dataset, embedder, Name, _retrieval, _evaluation, cancellationToken: cancellationToken).Metrics.Mean;
}
