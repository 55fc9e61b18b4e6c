using System.Globalization;
using System.Text;
using MLNetExt.Evaluation.Beir;

namespace MLNetExt.Evaluation.Reports;

/// <summary>Markdown tables of evaluation results (values x100, two decimals, as BEIR and MTEB papers print them).</summary>
public static class MarkdownTable
{
    private static readonly string[] s_defaultBeirMeasures = ["ndcg_cut_10", "map_cut_100", "recall_100", "P_10", "recip_rank"];

    /// <summary>A table with one row per result and one column per trec_eval measure name.</summary>
    /// <param name="results">The results, one row each.</param>
    /// <param name="measures">trec_eval names; by default NDCG@10, MAP@100, Recall@100, P@10 and recip_rank where present.</param>
    public static string Beir(IEnumerable<BeirResult> results, IReadOnlyList<string>? measures = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        var rows = results.ToList();
        measures ??= s_defaultBeirMeasures
            .Where(n => rows.Count == 0 || rows[0].Metrics.Mean.ContainsKey(n)).ToList();
        var header = new List<string> { "dataset", "split", "system", "queries" };
        header.AddRange(measures);
        header.Add("seconds");
        var sb = new StringBuilder();
        sb.Append("| ").AppendJoin(" | ", header).AppendLine(" |");
        sb.Append('|').Append(string.Concat(Enumerable.Repeat("---|", header.Count))).AppendLine();
        foreach (var r in rows)
        {
            var cells = new List<string> { r.Dataset, r.Split, r.System, r.Metrics.QueriesEvaluated.ToString(CultureInfo.InvariantCulture) };
            cells.AddRange(measures.Select(m => r.Metrics.Mean.TryGetValue(m, out double v) ? Percent(v) : "–"));
            cells.Add(r.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture));
            sb.Append("| ").AppendJoin(" | ", cells).AppendLine(" |");
        }
        return sb.ToString();
    }

    /// <summary>A two-column table of named values (x100).</summary>
    public static string Values(IEnumerable<KeyValuePair<string, double>> values, string nameHeader = "measure", string valueHeader = "value (x100)")
    {
        ArgumentNullException.ThrowIfNull(values);
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"| {nameHeader} | {valueHeader} |").AppendLine("|---|---|");
        foreach (var (name, value) in values)
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Percent(value)} |");
        return sb.ToString();
    }

    private static string Percent(double v) => double.IsNaN(v) ? "NaN" : (100 * v).ToString("F2", CultureInfo.InvariantCulture);
}
