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
        RecallCurvePlot.Save([Sample()], path);
        byte[] bytes = File.ReadAllBytes(path);
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes.Take(4).ToArray());
        Assert.IsTrue(bytes.Length > 1000);
    }
}
