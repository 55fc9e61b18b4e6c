using System.Text.Json;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Ranking;
using MLNetExt.Evaluation.Reports;

namespace MLNetExt.UnitTests.Evaluation;

[TestClass]
public sealed class ReportTests
{
    private static BeirResult Sample()
    {
        var qrels = new Qrels();
        qrels.Add("q1", "a", 1);
        qrels.Add("q2", "b", 1);
        var run = new RankingRun();
        run.Add("q1", "a", 2);
        run.Add("q1", "b", 1);
        run.Add("q2", "a", 2);
        run.Add("q2", "b", 1);
        var metrics = RankingEvaluator.Evaluate(qrels, run, new RankingEvaluatorOptions { Cutoffs = [1, 10] });
        return new BeirResult("toy", "test", "sys", metrics, TimeSpan.FromSeconds(1.5), 2, 2, 0, 0);
    }

    [TestMethod]
    public void Json_UsesTrecEvalNames()
    {
        string json = EvaluationJson.Serialize([Sample()]);
        using var doc = JsonDocument.Parse(json);
        var measures = doc.RootElement[0].GetProperty("evaluation").GetProperty("measures");
        Assert.AreEqual(0.5, measures.GetProperty("P_1").GetDouble(), 1e-12);
        Assert.AreEqual(0.75, measures.GetProperty("recip_rank").GetDouble(), 1e-12);
        Assert.AreEqual(2, doc.RootElement[0].GetProperty("evaluation").GetProperty("num_q").GetInt32());
    }

    [TestMethod]
    public void Markdown_HasOneRowPerResult()
    {
        string table = MarkdownTable.Beir([Sample()], ["ndcg_cut_10", "P_1"]);
        var lines = table.TrimEnd().Split('\n');
        Assert.AreEqual(3, lines.Length);
        StringAssert.Contains(lines[2], "| toy | test | sys | 2 |");
        StringAssert.Contains(lines[2], "| 50.00 |"); // P_1
    }

    [TestMethod]
    public void RecallCurve_RendersAPng()
    {
        using var tmp = new TempFiles();
        string path = Path.Combine(tmp.Folder, "curve.png");
        RecallCurvePlot.Save([Sample()], path, width: 640, height: 400);
        byte[] bytes = File.ReadAllBytes(path);
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes.Take(4).ToArray());
        // IHDR: big-endian width and height at bytes 16 and 20.
        Assert.AreEqual(640, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.AreEqual(400, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    [TestMethod]
    public void RecallCurve_PlotsEachSystemsMeasuresAtLogK()
    {
        BeirResult first = Sample();
        var other = new Qrels();
        other.Add("q1", "b", 1);
        var run = new RankingRun();
        run.Add("q1", "a", 2);
        run.Add("q1", "b", 1);
        BeirResult second = new("toy", "test", "other", RankingEvaluator.Evaluate(other, run, new RankingEvaluatorOptions { Cutoffs = [1, 10] }),
            TimeSpan.Zero, 2, 1, 0, 0);

        var scatters = RecallCurvePlot.CreatePlot([first, second]).GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();

        Assert.HasCount(4, scatters);
        foreach (var (result, index) in new[] { (first, 0), (second, 2) })
        {
            var recall = scatters[index];
            var ndcg = scatters[index + 1];
            Assert.AreEqual($"{result.System}: recall@k", recall.LegendText);
            Assert.AreEqual($"{result.System}: NDCG@k", ndcg.LegendText);
            var recallPoints = recall.Data.GetScatterPoints();
            var ndcgPoints = ndcg.Data.GetScatterPoints();
            CollectionAssert.AreEqual(new[] { 0.0, 1.0 }, recallPoints.Select(p => p.X).ToArray(), "x is log10 of the cut-offs 1 and 10");
            CollectionAssert.AreEqual(new[] { 100 * result.Metrics.Recall(1), 100 * result.Metrics.Recall(10) }, recallPoints.Select(p => p.Y).ToArray());
            CollectionAssert.AreEqual(new[] { 100 * result.Metrics.Ndcg(1), 100 * result.Metrics.Ndcg(10) }, ndcgPoints.Select(p => p.Y).ToArray());
        }
        // The toy values themselves: q1 finds its document first, q2 second; "other" ranks its only relevant second.
        CollectionAssert.AreEqual(new[] { 50.0, 100.0 }, scatters[0].Data.GetScatterPoints().Select(p => p.Y).ToArray());
        CollectionAssert.AreEqual(new[] { 0.0, 100.0 }, scatters[2].Data.GetScatterPoints().Select(p => p.Y).ToArray());
    }
}
