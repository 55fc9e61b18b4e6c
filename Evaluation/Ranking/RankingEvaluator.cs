namespace MLNetExt.Evaluation.Ranking;

/// <summary>
/// Evaluates a <see cref="RankingRun"/> against <see cref="Qrels"/> exactly as BEIR does through pytrec_eval
/// (trec_eval 9.0.8 measures <c>ndcg_cut</c>, <c>map_cut</c>, <c>recall</c>, <c>P</c>, <c>recip_rank</c>).
/// </summary>
/// <remarks>
/// Which queries are averaged: those present in the run (even with an empty result list, e.g. after dropping the
/// query's own id) AND in the qrels. A query of the qrels whose judgements are all grade 0 is evaluated and scores 0 —
/// pytrec_eval keeps such queries and BEIR divides by their number. Run queries the qrels do not know are skipped
/// (trec_eval and pytrec_eval skip them); judged queries missing from the run are skipped unless
/// <see cref="RankingEvaluatorOptions.IncludeQueriesMissingFromRun"/> (trec_eval <c>-c</c>) is set.
/// Ranking: score descending, ties by document id descending (ordinal), as trec_eval's qsort does; scores are
/// compared in single precision unless <see cref="RankingEvaluatorOptions.ScorePrecision"/> says otherwise.
/// </remarks>
public static class RankingEvaluator
{
    /// <summary>Evaluates the run.</summary>
    public static RankingMetrics Evaluate(Qrels qrels, RankingRun run, RankingEvaluatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(qrels);
        ArgumentNullException.ThrowIfNull(run);
        options ??= new RankingEvaluatorOptions();
        int[] cutoffs = options.NormalizedCutoffs();
        var names = TrecMeasures.Names(cutoffs);

        var perQuery = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        int runOnly = 0, withoutRelevant = 0, dropped = 0;
        foreach (string qid in run.QueryIds)
        {
            var judged = qrels.For(qid);
            if (judged is null)
            {
                runOnly++;
                continue;
            }
            var grades = new List<int?>();
            foreach (var (docId, _) in run.Ranked(qid, options.ScorePrecision))
            {
                if (options.IgnoreIdenticalIds && string.Equals(docId, qid, StringComparison.Ordinal))
                {
                    dropped++;
                    continue;
                }
                grades.Add(judged.TryGetValue(docId, out int g) ? g : null);
            }
            perQuery[qid] = TrecMeasures.Compute(grades, judged.Values, cutoffs, options.RelevanceLevel);
            if (!judged.Values.Any(g => g >= options.RelevanceLevel))
                withoutRelevant++;
        }

        int missing = 0;
        foreach (string qid in qrels.QueryIds)
        {
            if (run.Contains(qid))
                continue;
            missing++;
            if (options.IncludeQueriesMissingFromRun)
            {
                var judged = qrels.For(qid)!;
                perQuery[qid] = TrecMeasures.Compute([], judged.Values, cutoffs, options.RelevanceLevel);
                if (!judged.Values.Any(g => g >= options.RelevanceLevel))
                    withoutRelevant++;
            }
        }

        var mean = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string name in names)
            mean[name] = perQuery.Count == 0 ? 0 : perQuery.Values.Sum(m => m[name]) / perQuery.Count;

        return new RankingMetrics(cutoffs, mean, perQuery, runOnly, missing, withoutRelevant, dropped);
    }
}
