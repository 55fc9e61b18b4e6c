using MLNetExt.Evaluation.Embeddings;

namespace MLNetExt.Evaluation.Sts;

/// <summary>Pearson and Spearman correlation of one similarity function with the gold scores.</summary>
/// <param name="Pearson">Pearson's r.</param>
/// <param name="Spearman">Spearman's rho (average ranks for ties).</param>
public readonly record struct CorrelationPair(double Pearson, double Spearman);

/// <summary>The result of <see cref="StsEvaluator"/>: correlations for each similarity function.</summary>
public sealed class StsResult
{
    internal StsResult(int count, IReadOnlyDictionary<SimilarityFunction, CorrelationPair> bySimilarity)
    {
        Count = count;
        BySimilarity = bySimilarity;
    }

    /// <summary>Number of pairs.</summary>
    public int Count { get; }

    /// <summary>Correlations per similarity function.</summary>
    public IReadOnlyDictionary<SimilarityFunction, CorrelationPair> BySimilarity { get; }

    /// <summary>The figure MTEB and sentence-transformers report: Spearman of cosine similarity.</summary>
    public double CosineSpearman => BySimilarity[SimilarityFunction.Cosine].Spearman;

    /// <summary>Flat names such as <c>cosine_spearman</c>, <c>manhattan_pearson</c>.</summary>
    public IReadOnlyDictionary<string, double> ByName
    {
        get
        {
            var d = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (f, c) in BySimilarity)
            {
                string n = f.ToString().ToLowerInvariant();
                d[$"{n}_pearson"] = c.Pearson;
                d[$"{n}_spearman"] = c.Spearman;
            }
            return d;
        }
    }
}
