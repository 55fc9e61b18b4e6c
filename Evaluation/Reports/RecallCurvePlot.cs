using MLNetExt.Transforms.IO;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.IO;

namespace MLNetExt.Evaluation.Reports;

/// <summary>
/// Recall@k and NDCG@k curves of one or more systems as a PNG (ScottPlot; the k axis is logarithmic because BEIR's
/// cut-offs run from 1 to 1000).
/// </summary>
public static class RecallCurvePlot
{
    /// <summary>Renders the curves to PNG bytes.</summary>
    public static byte[] Render(IEnumerable<BeirResult> results, int width = 800, int height = 500) =>
        CreatePlot(results).GetImageBytes(width, height, ScottPlot.ImageFormat.Png);

    /// <summary>
    /// Builds the ScottPlot plot that <see cref="Render"/> draws: per system a recall@k and a dashed NDCG@k scatter
    /// (x = log10 k, y = measure x 100), for further styling or another image format.
    /// </summary>
    public static ScottPlot.Plot CreatePlot(IEnumerable<BeirResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var rows = results.ToList();
        if (rows.Count == 0)
            throw new ArgumentException("No results to plot.", nameof(results));
        var plot = new ScottPlot.Plot();
        foreach (var r in rows)
        {
            double[] ks = r.Metrics.Cutoffs.Select(k => Math.Log10(k)).ToArray();
            var recall = plot.Add.Scatter(ks, r.Metrics.Cutoffs.Select(k => 100 * r.Metrics.Recall(k)).ToArray());
            recall.LegendText = $"{r.System}: recall@k";
            var ndcg = plot.Add.Scatter(ks, r.Metrics.Cutoffs.Select(k => 100 * r.Metrics.Ndcg(k)).ToArray());
            ndcg.LegendText = $"{r.System}: NDCG@k";
            ndcg.LinePattern = ScottPlot.LinePattern.Dashed;
        }
        var cutoffs = rows.SelectMany(r => r.Metrics.Cutoffs).Distinct().Order().ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            cutoffs.Select(k => Math.Log10(k)).ToArray(), cutoffs.Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.Bottom.Label.Text = "k (log scale)";
        plot.Axes.Left.Label.Text = "x100";
        plot.Title($"{rows[0].Dataset} ({rows[0].Split}): recall@k and NDCG@k");
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        return plot;
    }

    /// <summary>Renders the curves and writes the PNG atomically.</summary>
    public static void Save(IEnumerable<BeirResult> results, string path, int width = 800, int height = 500) =>
        AtomicFile.WriteAllBytes(path, Render(results, width, height));
}
