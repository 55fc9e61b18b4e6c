using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.Samples;

/// <summary>
/// <c>RankingEvaluator</c>: trec_eval measures (as BEIR reports them) of a small run against graded judgements.
/// Run: <c>dotnet run --project Samples -- ranking</c>.
/// </summary>
/// <remarks>
/// Prints (checked by hand: q1 ranks d3, d5, d1, so DCG@3 = 1 + 2/log2(4) = 2 against an ideal 2 + 1/log2(3)):
/// <code>
/// ndcg_cut_3   0.6956
/// map_cut_10   0.6667
/// recall_1     0.2500
/// P_3          0.5000
/// recip_rank   0.7500
/// queries evaluated: 2
/// </code>
/// </remarks>
public static class RankingMetricsSample
{
    /// <summary>Scores two queries' rankings and prints the measures under trec_eval's names.</summary>
    public static void Example()
    {
        var qrels = new Qrels();
        qrels.Add("q1", "d1", 2);       // highly relevant
        qrels.Add("q1", "d3", 1);       // relevant
        qrels.Add("q2", "d7", 1);

        var run = new RankingRun();
        run.Add("q1", "d3", 0.9);       // the less relevant document first
        run.Add("q1", "d1", 0.8);
        run.Add("q1", "d5", 0.8);       // tie with d1: trec_eval puts the larger id ("d5") first
        run.Add("q2", "d2", 0.7);
        run.Add("q2", "d7", 0.4);

        RankingMetrics metrics = RankingEvaluator.Evaluate(qrels, run, new RankingEvaluatorOptions { Cutoffs = [1, 3, 10] });
        foreach (string name in new[] { "ndcg_cut_3", "map_cut_10", "recall_1", "P_3", "recip_rank" })
            Console.WriteLine($"{name,-12} {metrics.Mean[name]:F4}");
        Console.WriteLine($"queries evaluated: {metrics.QueriesEvaluated}");
    }
}
