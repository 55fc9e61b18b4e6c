namespace MLNetExt.Evaluation.Ranking;

/// <summary>
/// The per-query measures of trec_eval 9.0.8, as BEIR asks pytrec_eval for them. Inputs are the relevance grades of
/// the retrieved documents in rank order (null: not in the qrels) and the query's judgements.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>ndcg_cut_k</c>: DCG over the first k ranks with gain = grade (grades &gt; 0 only) and discount
/// 1 / log2(rank + 1) (so rank 1 is undiscounted), divided by the ideal DCG of the query's judged grades sorted descending and cut at k;
/// 0 when the ideal DCG is 0 (m_ndcg_cut.c).</item>
/// <item><c>map_cut_k</c>: sum over relevant documents in the first k ranks of precision at that rank, divided by ALL
/// relevant documents of the query; 0 when the query has none (m_map_cut.c).</item>
/// <item><c>recall_k</c>: relevant in the first k / all relevant; 0 when there are none (m_recall.c).</item>
/// <item><c>P_k</c>: relevant in the first k / k, even when fewer than k were retrieved (m_P.c).</item>
/// <item><c>recip_rank</c>: 1 / rank of the first relevant document, no cut-off; 0 when none is retrieved (m_recip_rank.c).</item>
/// </list>
/// "Relevant" means grade &gt;= the relevance level (1 by default); negative grades count as judged-but-unjudged
/// (never relevant, no gain), as in trec_eval.
/// </remarks>
public static class TrecMeasures
{
    /// <summary>The measure names in output order, for the given cut-offs (trec_eval names).</summary>
    public static IReadOnlyList<string> Names(IReadOnlyList<int> cutoffs)
    {
        var names = new List<string>();
        names.AddRange(cutoffs.Select(k => $"ndcg_cut_{k}"));
        names.AddRange(cutoffs.Select(k => $"map_cut_{k}"));
        names.AddRange(cutoffs.Select(k => $"recall_{k}"));
        names.AddRange(cutoffs.Select(k => $"P_{k}"));
        names.Add("recip_rank");
        return names;
    }

    /// <summary>Computes every measure for one query.</summary>
    /// <param name="rankedGrades">Grades of the retrieved documents in rank order; null for a document the qrels do not judge.</param>
    /// <param name="judgements">The query's judgements (document id -> grade).</param>
    /// <param name="cutoffs">Positive, distinct cut-offs.</param>
    /// <param name="relevanceLevel">Minimum grade of a relevant document (trec_eval's <c>-l</c>, default 1).</param>
    public static Dictionary<string, double> Compute(
        IReadOnlyList<int?> rankedGrades, IEnumerable<int> judgements, IReadOnlyList<int> cutoffs, int relevanceLevel = 1)
    {
        ArgumentNullException.ThrowIfNull(rankedGrades);
        ArgumentNullException.ThrowIfNull(judgements);
        ArgumentNullException.ThrowIfNull(cutoffs);
        if (relevanceLevel < 1)
            throw new ArgumentOutOfRangeException(nameof(relevanceLevel), relevanceLevel, "The relevance level must be at least 1.");

        int[] idealGains = judgements.Where(g => g > 0).OrderByDescending(g => g).ToArray();
        int numRel = judgements.Count(g => g >= relevanceLevel);

        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (int k in cutoffs)
        {
            if (k <= 0)
                throw new ArgumentOutOfRangeException(nameof(cutoffs), k, "Cut-offs must be positive.");
            int depth = Math.Min(k, rankedGrades.Count);
            double dcg = 0, apSum = 0;
            int relSoFar = 0;
            for (int i = 0; i < depth; i++)
            {
                int grade = rankedGrades[i] ?? 0;
                if (grade > 0)
                    dcg += grade * Discount(i);
                if (grade >= relevanceLevel)
                {
                    relSoFar++;
                    apSum += (double)relSoFar / (i + 1);
                }
            }
            double idcg = 0;
            for (int i = 0; i < Math.Min(k, idealGains.Length); i++)
                idcg += idealGains[i] * Discount(i);

            result[$"ndcg_cut_{k}"] = idcg > 0 ? dcg / idcg : 0;
            result[$"map_cut_{k}"] = numRel > 0 ? apSum / numRel : 0;
            result[$"recall_{k}"] = numRel > 0 ? (double)relSoFar / numRel : 0;
            result[$"P_{k}"] = (double)relSoFar / k;
        }

        double rr = 0;
        for (int i = 0; i < rankedGrades.Count; i++)
        {
            if ((rankedGrades[i] ?? 0) >= relevanceLevel)
            {
                rr = 1.0 / (i + 1);
                break;
            }
        }
        result["recip_rank"] = rr;

        // Order the keys as Names() does, so that reports list them consistently.
        return Names(cutoffs).ToDictionary(n => n, n => result[n], StringComparer.Ordinal);
    }

    // The document at 0-based index i has rank i + 1 and is discounted by log2(rank + 1) = log2(i + 2), as in
    // trec_eval 9.0.x (older 8.x releases left rank 2 undiscounted; pytrec_eval bundles the 9.0 code).
    private static double Discount(int index) => 1.0 / Math.Log2(index + 2);
}
