using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Metrics;

namespace MLNetExt.Evaluation.Sts;

/// <summary>
/// Semantic textual similarity: embeds both sentences of each pair, scores them with cosine, dot, (negated)
/// Euclidean and (negated) Manhattan similarity, and correlates each with the gold scores (Pearson and Spearman),
/// as sentence-transformers' EmbeddingSimilarityEvaluator and MTEB do. Each distinct sentence is encoded once.
/// </summary>
public static class StsEvaluator
{
    /// <summary>Evaluates an encoder on the pairs.</summary>
    public static StsResult Evaluate(IReadOnlyList<StsPair> pairs, ITextEmbedder embedder,
        IProgress<EncodingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(embedder);
        var distinct = pairs.SelectMany(p => new[] { p.Sentence1, p.Sentence2 }).Distinct(StringComparer.Ordinal).ToList();
        var embeddings = embedder.EmbedAll(distinct, "sentences", progress, cancellationToken);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < distinct.Count; i++)
            index[distinct[i]] = i;
        return Evaluate(pairs, p => (embeddings[index[p.Sentence1]], embeddings[index[p.Sentence2]]));
    }

    /// <summary>Evaluates given embeddings: <paramref name="embed"/> returns the two embeddings of a pair.</summary>
    public static StsResult Evaluate(IReadOnlyList<StsPair> pairs, Func<StsPair, (float[] First, float[] Second)> embed)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(embed);
        if (pairs.Count < 2)
            throw new ArgumentException($"STS evaluation needs at least 2 pairs, got {pairs.Count}.", nameof(pairs));
        var gold = pairs.Select(p => p.Score).ToArray();
        var functions = Enum.GetValues<SimilarityFunction>();
        var predicted = functions.ToDictionary(f => f, _ => new double[pairs.Count]);
        for (int i = 0; i < pairs.Count; i++)
        {
            var (a, b) = embed(pairs[i]);
            foreach (var f in functions)
                predicted[f][i] = VectorSimilarity.Compute(f, a, b);
        }
        var result = functions.ToDictionary(f => f,
            f => new CorrelationPair(Correlation.Pearson(gold, predicted[f]), Correlation.Spearman(gold, predicted[f])));
        return new StsResult(pairs.Count, result);
    }
}
