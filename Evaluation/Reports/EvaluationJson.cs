using MLNetExt.Transforms.IO;
using System.Text.Json;
using System.Text.Json.Serialization;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Evaluation.IO;
using MLNetExt.Evaluation.Ranking;
using MLNetExt.Evaluation.Sts;

namespace MLNetExt.Evaluation.Reports;

/// <summary>
/// JSON forms of the evaluation results. Ranking measures keep trec_eval's names (<c>ndcg_cut_10</c>,
/// <c>map_cut_100</c>, <c>recall_100</c>, <c>P_10</c>, <c>recip_rank</c>); values are fractions, not percentages.
/// </summary>
public static class EvaluationJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // a constant prediction gives NaN correlation
    };

    /// <summary>trec_eval measures with query counts; per-query values when <paramref name="perQuery"/> is set.</summary>
    public static string Serialize(RankingMetrics metrics, bool perQuery = false) =>
        JsonSerializer.Serialize(RankingNode(metrics, perQuery), Options);

    /// <summary>One or more BEIR results.</summary>
    public static string Serialize(IEnumerable<BeirResult> results) =>
        JsonSerializer.Serialize(results.Select(BeirNode).ToList(), Options);

    private static Dictionary<string, object> BeirNode(BeirResult r)
    {
        var node = new Dictionary<string, object>
        {
            ["dataset"] = r.Dataset,
            ["split"] = r.Split,
            ["system"] = r.System,
            ["documents"] = r.Documents,
            ["queries"] = r.Queries,
            ["qrels_documents_missing_from_corpus"] = r.QrelsDocumentsMissingFromCorpus,
            ["qrels_queries_missing_from_queries"] = r.QrelsQueriesMissingFromQueries,
            ["elapsed_seconds"] = Math.Round(r.Elapsed.TotalSeconds, 3),
            ["evaluation"] = RankingNode(r.Metrics, perQuery: false),
        };
        if (r.Index is { } index)
        {
            node["index"] = new Dictionary<string, object>
            {
                ["precision"] = index.Precision.ToString(),
                ["vectors"] = index.Vectors,
                ["vectors_per_document"] = Math.Round(index.VectorsPerDocument, 3),
                ["stored_bytes"] = index.StoredBytes,
                ["bytes_per_document"] = Math.Round(index.BytesPerDocument, 1),
                ["query_vectors"] = index.QueryVectors,
                ["scoring_seconds"] = Math.Round(index.ScoringTime.TotalSeconds, 3),
                ["queries_per_second"] = Math.Round(index.QueriesPerSecond, 2),
            };
        }
        return node;
    }

    /// <summary>An STS result: Pearson and Spearman per similarity function.</summary>
    public static string Serialize(StsResult result, string system, string file) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["file"] = file,
            ["system"] = system,
            ["pairs"] = result.Count,
            ["measures"] = result.ByName,
        }, Options);

    /// <summary>A GLUE result.</summary>
    public static string Serialize(GlueResult result, string system) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["task"] = result.Task.Name,
            ["system"] = system,
            ["examples"] = result.Count,
            ["measures"] = result.ByName,
        }, Options);

    /// <summary>Writes JSON to a file atomically.</summary>
    public static void Write(string path, string json) => AtomicFile.WriteAllText(path, json + Environment.NewLine);

    private static Dictionary<string, object> RankingNode(RankingMetrics m, bool perQuery)
    {
        var node = new Dictionary<string, object>
        {
            ["num_q"] = m.QueriesEvaluated,
            ["run_queries_without_judgements"] = m.RunQueriesWithoutJudgements,
            ["judged_queries_missing_from_run"] = m.JudgedQueriesMissingFromRun,
            ["queries_without_relevant"] = m.QueriesWithoutRelevant,
            ["identical_ids_dropped"] = m.IdenticalIdsDropped,
            ["measures"] = m.Mean,
        };
        if (perQuery)
            node["per_query"] = m.PerQuery;
        return node;
    }
}
