namespace MLNetExt.Evaluation.Ranking;

/// <summary>
/// The result of <see cref="RankingEvaluator"/>: mean measures under trec_eval's names (<c>ndcg_cut_10</c>,
/// <c>map_cut_100</c>, <c>recall_100</c>, <c>P_10</c>, <c>recip_rank</c>), per-query values, and counts that say
/// which queries were averaged and which were left out.
/// </summary>
public sealed class RankingMetrics
{
    internal RankingMetrics(
        IReadOnlyList<int> cutoffs,
        IReadOnlyDictionary<string, double> mean,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> perQuery,
        int runQueriesWithoutJudgements,
        int judgedQueriesMissingFromRun,
        int queriesWithoutRelevant,
        int identicalIdsDropped)
    {
        Cutoffs = cutoffs;
        Mean = mean;
        PerQuery = perQuery;
        RunQueriesWithoutJudgements = runQueriesWithoutJudgements;
        JudgedQueriesMissingFromRun = judgedQueriesMissingFromRun;
        QueriesWithoutRelevant = queriesWithoutRelevant;
        IdenticalIdsDropped = identicalIdsDropped;
    }

    /// <summary>The cut-offs used, ascending.</summary>
    public IReadOnlyList<int> Cutoffs { get; }

    /// <summary>Mean of each measure over the evaluated queries, keyed by trec_eval name.</summary>
    public IReadOnlyDictionary<string, double> Mean { get; }

    /// <summary>Per-query measures (query id -> trec_eval name -> value), for the evaluated queries.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> PerQuery { get; }

    /// <summary>Number of queries averaged.</summary>
    public int QueriesEvaluated => PerQuery.Count;

    /// <summary>Queries of the run that the qrels do not judge; skipped, as trec_eval skips them.</summary>
    public int RunQueriesWithoutJudgements { get; }

    /// <summary>Judged queries absent from the run; skipped unless <see cref="RankingEvaluatorOptions.IncludeQueriesMissingFromRun"/>.</summary>
    public int JudgedQueriesMissingFromRun { get; }

    /// <summary>Evaluated queries whose judgements hold no relevant document; they score 0 and count in the mean.</summary>
    public int QueriesWithoutRelevant { get; }

    /// <summary>Retrieved documents dropped because their id equals the query id.</summary>
    public int IdenticalIdsDropped { get; }

    /// <summary>Mean ndcg_cut at k.</summary>
    public double Ndcg(int k) => Get($"ndcg_cut_{k}");

    /// <summary>Mean map_cut at k.</summary>
    public double Map(int k) => Get($"map_cut_{k}");

    /// <summary>Mean recall at k.</summary>
    public double Recall(int k) => Get($"recall_{k}");

    /// <summary>Mean precision at k (trec_eval P_k).</summary>
    public double Precision(int k) => Get($"P_{k}");

    /// <summary>Mean reciprocal rank of the first relevant document (no cut-off).</summary>
    public double ReciprocalRank => Get("recip_rank");

    private double Get(string name) =>
        Mean.TryGetValue(name, out double v) ? v
            : throw new ArgumentOutOfRangeException(nameof(name), name, $"No measure '{name}'; cut-offs are {string.Join(",", Cutoffs)}.");
}
