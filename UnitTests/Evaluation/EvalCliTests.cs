using System.Text.Json;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Evaluation;

[TestClass]
public sealed class EvalCliTests
{
    private static (int Code, string Output) Run(params string[] args) => CliRunner.Run(args);

    [TestMethod]
    public void Trec_PrintsTrecEvalNamesAndWritesJson()
    {
        using var tmp = new TempFiles();
        string qrels = tmp.Write("q.tsv", "query-id\tcorpus-id\tscore", "1\ta\t1", "2\tb\t2");
        string run = tmp.Write("r.run", "1 Q0 a 1 3.0 x", "1 Q0 c 2 2.0 x", "2 Q0 c 1 5 x", "2 Q0 b 2 4 x");
        string json = Path.Combine(tmp.Folder, "out.json");

        var (code, output) = Run("eval", "trec", "--qrels", qrels, "--run", run, "-k", "1,10", "--json", json);

        Assert.AreEqual(0, code);
        StringAssert.Contains(output, "num_q                 \tall\t2");
        StringAssert.Contains(output, "P_1                   \tall\t0.5000");
        StringAssert.Contains(output, "recip_rank            \tall\t0.7500");
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        double expectedNdcg10 = (1 + 1 / Math.Log2(3)) / 2; // q1 perfect, q2 relevant at rank 2
        Assert.AreEqual(expectedNdcg10, doc.RootElement.GetProperty("measures").GetProperty("ndcg_cut_10").GetDouble(), 1e-12);
    }

    [TestMethod]
    public void Trec_RoundsScoresToSinglePrecisionLikeTrecEval908_AndFullPrecisionOnRequest()
    {
        using var tmp = new TempFiles();
        string qrels = tmp.Write("q.txt", "1 0 A 1", "1 0 B 0");
        string run = tmp.Write("r.run", "1 Q0 A 1 0.1234567892 r", "1 Q0 B 2 0.1234567891 r");

        var (code, output) = Run("eval", "trec", "--qrels", qrels, "--run", run);
        var (fullCode, fullOutput) = Run("eval", "trec", "--qrels", qrels, "--run", run, "--full-precision");

        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "P_1                   \tall\t0.0000");
        StringAssert.Contains(output, "recip_rank            \tall\t0.5000");
        Assert.AreEqual(0, fullCode, fullOutput);
        StringAssert.Contains(fullOutput, "P_1                   \tall\t1.0000");
        StringAssert.Contains(fullOutput, "recip_rank            \tall\t1.0000");
    }

    [TestMethod]
    public void Trec_BadRunLine_ExitsWithTwo()
    {
        using var tmp = new TempFiles();
        string qrels = tmp.Write("q.tsv", "1 0 a 1");
        string run = tmp.Write("r.run", "1 Q0 a 1 x x");
        Assert.AreEqual(2, Run("eval", "trec", "--qrels", qrels, "--run", run).Code);
    }

    [TestMethod]
    public void Glue_PredictionFile_ScoresRte()
    {
        string folder = SharedData.Require("rte");
        using var tmp = new TempFiles();
        string predictions = tmp.Write("rte.txt", Enumerable.Repeat("entailment", 277).ToArray());
        string json = Path.Combine(tmp.Folder, "glue.json");
        Assert.AreEqual(0, Run("eval", "glue", "--task", "rte", "--data", folder, "--predictions", predictions, "--json", json).Code);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.AreEqual(146.0 / 277, doc.RootElement.GetProperty("measures").GetProperty("accuracy").GetDouble(), 1e-12);
    }

    [TestMethod]
    public void Sts_DefaultFusedGraphScoresLikeTheOriginalGraph()
    {
        string dev = SharedData.RequireFile("stsb", "dev.tsv");
        using var tmp = new TempFiles();
        string file = tmp.Write("dev-head.tsv", File.ReadLines(dev).Take(61).ToArray());
        double Spearman(params string[] extra)
        {
            string json = Path.Combine(tmp.Folder, $"sts-{extra.Length}.json");
            var (code, output) = Run(["eval", "sts", "--file", file, "--json", json, .. extra]);
            Assert.AreEqual(0, code, output);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            Assert.AreEqual(60, doc.RootElement.GetProperty("pairs").GetInt32());
            return doc.RootElement.GetProperty("measures").GetProperty("cosine_spearman").GetDouble();
        }
        double fused = Spearman(), original = Spearman("--no-fuse");
        Assert.IsGreaterThan(0.7, original, "a real encoder on STS-B dev pairs");
        Assert.AreEqual(original, fused, 1e-4, "same weights, fused kernels");
    }

    [TestMethod]
    public void Sts_ReadsSickAndSemEvalFiles_SayingWhatItSkipped()
    {
        using var tmp = new TempFiles();
        string[] pairs = ["A man is playing a guitar.\tA man plays the guitar.", "A woman slices an onion.\tA man drives a car.",
            "Two dogs run in a field.\tTwo dogs are running on grass.", "A child eats soup.\tThe stock market fell today."];
        string semeval = tmp.Write("sts2016.txt", "4.8\t" + pairs[0], "\tno\tscore", "0.4\t" + pairs[1], "4.2\t" + pairs[2], "0\t" + pairs[3]);
        string sick = tmp.Write("sick.txt", ["pair_ID\tsentence_A\tsentence_B\trelatedness_score", .. pairs.Select((p, i) => $"{i}\t{p}\t{new[] { 4.8, 1.4, 4.2, 1 }[i]}")]);

        var (code, output) = Run("eval", "sts", "--file", semeval);
        Assert.AreEqual(0, code, output);
        output = output.Replace(" \n", " ").Replace("\n", " "); // the console wraps long lines
        StringAssert.Contains(output, "4 pairs (SemEval layout), 1 lines without a score skipped");
        StringAssert.Contains(output, "cosine Spearman = 100.00", "the scores were read from the first column");
        var (sickCode, sickOutput) = Run("eval", "sts", "--file", sick, "--layout", "sick");
        Assert.AreEqual(0, sickCode, sickOutput);
        StringAssert.Contains(sickOutput, "4 pairs (Sick layout)");

        CliResult wrong = CliRunner.RunCaptured("eval", "sts", "--file", sick, "--layout", "semeval");
        Assert.AreNotEqual(0, wrong.Code);
        StringAssert.Contains(wrong.Error, "sick.txt");
        StringAssert.Contains(wrong.Error, "line 1");
        Assert.AreNotEqual(0, CliRunner.RunCaptured("eval", "sts", "--file", sick, "--layout", "csv").Code);
    }
}
