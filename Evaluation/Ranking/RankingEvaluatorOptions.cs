namespace MLNetExt.Evaluation.Ranking;

/// <summary>Options of <see cref="RankingEvaluator"/>; the defaults are BEIR's.</summary>
public sealed class RankingEvaluatorOptions
{
    /// <summary>BEIR's default cut-offs: 1, 3, 5, 10, 100, 1000.</summary>
    public static readonly IReadOnlyList<int> BeirCutoffs = [1, 3, 5, 10, 100, 1000];

    /// <summary>The cut-offs k of ndcg_cut, map_cut, recall and P. Positive; duplicates are removed and the list sorted.</summary>
    public IReadOnlyList<int> Cutoffs { get; init; } = BeirCutoffs;

    /// <summary>
    /// Drop a retrieved document whose id equals the query id before evaluating (BEIR's
    /// <c>ignore_identical_ids=True</c>, the default there and here). The query still counts, even if nothing is left.
    /// </summary>
    public bool IgnoreIdenticalIds { get; init; } = true;

    /// <summary>Minimum grade of a relevant document (trec_eval <c>-l</c>; pytrec_eval's <c>relevance_level</c>). Default 1.</summary>
    public int RelevanceLevel { get; init; } = 1;

    /// <summary>
    /// Also average over judged queries that are absent from the run, scoring them 0 (trec_eval <c>-c</c>).
    /// Off by default, as in trec_eval without <c>-c</c> and in pytrec_eval/BEIR.
    /// </summary>
    public bool IncludeQueriesMissingFromRun { get; init; }

    /// <summary>
    /// How run scores are compared when ranking: <see cref="ScorePrecision.Single"/> (the default) rounds them to
    /// <see cref="float"/> as trec_eval 9.0.8 and pytrec_eval/BEIR do, so scores equal as floats tie and are ordered
    /// by document id; <see cref="ScorePrecision.Double"/> keeps full precision, as trec_eval 10 does.
    /// </summary>
    public ScorePrecision ScorePrecision { get; init; } = ScorePrecision.Single;

    internal int[] NormalizedCutoffs()
    {
        if (Cutoffs is null || Cutoffs.Count == 0)
            throw new ArgumentException("At least one cut-off is needed.", nameof(Cutoffs));
        foreach (int k in Cutoffs)
            if (k <= 0)
                throw new ArgumentOutOfRangeException(nameof(Cutoffs), k, $"Cut-offs must be positive; got {k}.");
        if (RelevanceLevel < 1)
            throw new ArgumentOutOfRangeException(nameof(RelevanceLevel), RelevanceLevel, "The relevance level must be at least 1.");
        return Cutoffs.Distinct().Order().ToArray();
    }
}
