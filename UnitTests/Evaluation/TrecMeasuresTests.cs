using MLNetExt.Evaluation.IO;
using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.UnitTests.Evaluation;

[TestClass]
public sealed class TrecMeasuresTests
{
    private const double Tol = 1e-12;

    private static RankingMetrics Evaluate(Qrels qrels, RankingRun run, params int[] cutoffs) =>
        RankingEvaluator.Evaluate(qrels, run, new RankingEvaluatorOptions { Cutoffs = cutoffs });

    [TestMethod]
    public void GradedRelevance_MatchesHandComputedValues()
    {
        var qrels = new Qrels();
        qrels.Add("q1", "d1", 2);
        qrels.Add("q1", "d2", 1);
        qrels.Add("q1", "d3", 0);
        qrels.Add("q1", "d4", 1);
        var run = new RankingRun();
        run.Add("q1", "d3", 0.9);
        run.Add("q1", "d1", 0.8);
        run.Add("q1", "dx", 0.7); // not judged
        run.Add("q1", "d2", 0.6);

        var m = Evaluate(qrels, run, 3, 5);

        // Ranks: d3 (0), d1 (2), dx (-), d2 (1). Discount of rank r is 1/log2(r + 1).
        double dcg3 = 2 / Math.Log2(3);
        double idcg3 = 2 / Math.Log2(2) + 1 / Math.Log2(3) + 1 / Math.Log2(4);
        double dcg5 = dcg3 + 1 / Math.Log2(5);
        Assert.AreEqual(dcg3 / idcg3, m.Ndcg(3), Tol);
        Assert.AreEqual(dcg5 / idcg3, m.Ndcg(5), Tol); // ideal has only 3 gains
        Assert.AreEqual(0.5 / 3, m.Map(3), Tol);               // P@2 = 1/2 over all 3 relevant
        Assert.AreEqual((0.5 + 2.0 / 4) / 3, m.Map(5), Tol);   // + P@4 = 2/4
        Assert.AreEqual(1.0 / 3, m.Recall(3), Tol);
        Assert.AreEqual(2.0 / 3, m.Recall(5), Tol);
        Assert.AreEqual(1.0 / 3, m.Precision(3), Tol);
        Assert.AreEqual(2.0 / 5, m.Precision(5), Tol);         // divided by k although only 4 were retrieved
        Assert.AreEqual(0.5, m.ReciprocalRank, Tol);
    }

    [TestMethod]
    public void Ties_AreBrokenByDocumentIdDescendingAsStrings()
    {
        var qrels = new Qrels();
        qrels.Add("q", "10", 1);
        var run = new RankingRun();
        run.Add("q", "10", 1.0);
        run.Add("q", "9", 1.0);
        run.Add("q", "2", 1.0);
        run.Add("q", "0", 2.0);

        CollectionAssert.AreEqual(new[] { "0", "9", "2", "10" }, run.Ranked("q").Select(p => p.Key).ToArray());
        var m = Evaluate(qrels, run, 1, 10);
        Assert.AreEqual(0.25, m.ReciprocalRank, Tol);
        Assert.AreEqual(1 / Math.Log2(5), m.Ndcg(10), Tol);
    }

    [TestMethod]
    public void ScoresEqualInSinglePrecision_TieAsInTrecEval908_UnlessFullPrecisionIsAsked()
    {
        // The case: 0.1234567892 and 0.1234567891 are the same float, so trec_eval 9.0.8 (and pytrec_eval)
        // ties them and ranks B (the larger id) first: P_1 = 0, recip_rank = 0.5. trec_eval 10 keeps doubles.
        var qrels = new Qrels();
        qrels.Add("1", "A", 1);
        qrels.Add("1", "B", 0);
        var run = new RankingRun();
        run.Add("1", "A", 0.1234567892);
        run.Add("1", "B", 0.1234567891);

        var single = Evaluate(qrels, run, 1);
        var full = RankingEvaluator.Evaluate(qrels, run, new RankingEvaluatorOptions { Cutoffs = [1], ScorePrecision = ScorePrecision.Double });

        Assert.AreEqual(0, single.Precision(1), Tol);
        Assert.AreEqual(0.5, single.ReciprocalRank, Tol);
        Assert.AreEqual(1, full.Precision(1), Tol);
        Assert.AreEqual(1, full.ReciprocalRank, Tol);
        Assert.AreEqual("B", run.Ranked("1")[0].Key);
        Assert.AreEqual(0.1234567891, run.Ranked("1")[0].Value, 0, "Ranking rounds for comparison only; the scores stay as given.");
        Assert.AreEqual("A", run.Ranked("1", ScorePrecision.Double)[0].Key);
    }

    [TestMethod]
    public void QueryWithoutRelevantDocuments_CountsAsZeroInTheMean()
    {
        var qrels = new Qrels();
        qrels.Add("good", "a", 1);
        qrels.Add("none", "a", 0);
        var run = new RankingRun();
        run.Add("good", "a", 1);
        run.Add("none", "a", 1);

        var m = Evaluate(qrels, run, 10);
        Assert.AreEqual(2, m.QueriesEvaluated);
        Assert.AreEqual(1, m.QueriesWithoutRelevant);
        Assert.AreEqual(0.5, m.Ndcg(10), Tol);
        Assert.AreEqual(0.5, m.Recall(10), Tol);
        Assert.AreEqual(0.0, m.PerQuery["none"]["map_cut_10"]);
    }

    [TestMethod]
    public void QueriesOutsideTheIntersection_AreSkippedUnlessAsked()
    {
        var qrels = new Qrels();
        qrels.Add("q1", "a", 1);
        qrels.Add("q2", "b", 1); // not in run
        var run = new RankingRun();
        run.Add("q1", "a", 1);
        run.Add("q9", "a", 1); // not judged

        var m = Evaluate(qrels, run, 10);
        Assert.AreEqual(1, m.QueriesEvaluated);
        Assert.AreEqual(1, m.RunQueriesWithoutJudgements);
        Assert.AreEqual(1, m.JudgedQueriesMissingFromRun);
        Assert.AreEqual(1.0, m.Ndcg(10), Tol);

        var withMissing = RankingEvaluator.Evaluate(qrels, run,
            new RankingEvaluatorOptions { Cutoffs = [10], IncludeQueriesMissingFromRun = true });
        Assert.AreEqual(2, withMissing.QueriesEvaluated);
        Assert.AreEqual(0.5, withMissing.Ndcg(10), Tol);
    }

    [TestMethod]
    public void IdenticalIds_AreDroppedByDefault_AndTheQueryStillCounts()
    {
        var qrels = new Qrels();
        qrels.Add("q1", "q1", 1);
        qrels.Add("q1", "d", 1);
        qrels.Add("q2", "e", 1);
        var run = new RankingRun();
        run.Add("q1", "q1", 5);
        run.Add("q1", "d", 1);
        run.Add("q2", "q2", 1); // only its own id: empty after dropping

        var m = Evaluate(qrels, run, 1);
        Assert.AreEqual(2, m.IdenticalIdsDropped);
        Assert.AreEqual(2, m.QueriesEvaluated);
        Assert.AreEqual(0.5, m.ReciprocalRank, Tol); // q1: d at rank 1, q2: nothing
        Assert.AreEqual(0.25, m.Recall(1), Tol);     // q1: 1 of 2, q2: 0

        var kept = RankingEvaluator.Evaluate(qrels, run, new RankingEvaluatorOptions { Cutoffs = [1], IgnoreIdenticalIds = false });
        Assert.AreEqual(0, kept.IdenticalIdsDropped);
        Assert.AreEqual(0.5, kept.ReciprocalRank, Tol); // q1: rank 1 is q1 itself (relevant), q2: q2 not judged
    }

    [TestMethod]
    public void EmptyRun_GivesNoQueriesAndZeroMeans()
    {
        var qrels = new Qrels();
        qrels.Add("q1", "a", 1);
        var m = Evaluate(qrels, new RankingRun(), 10);
        Assert.AreEqual(0, m.QueriesEvaluated);
        Assert.AreEqual(1, m.JudgedQueriesMissingFromRun);
        Assert.AreEqual(0.0, m.Ndcg(10));
    }

    [TestMethod]
    public void DuplicateRunLines_FollowThePolicy()
    {
        using var tmp = new TempFiles();
        string path = tmp.Write("run.txt",
            "q1 Q0 a 1 0.5 t",
            "q1 Q0 b 2 0.7 t",
            "q1 Q0 a 3 0.9 t");

        var ex = Assert.ThrowsExactly<DataFileException>(() => TrecRunReader.Read(path));
        Assert.AreEqual(3, ex.LineNumber);
        StringAssert.Contains(ex.Message, "line 1");

        var first = TrecRunReader.Read(path, DuplicatePolicy.KeepFirst);
        Assert.AreEqual(0.5, first.For("q1")!["a"]);
        Assert.AreEqual(1, first.DuplicatesResolved);
        Assert.AreEqual(0.9, TrecRunReader.Read(path, DuplicatePolicy.KeepLast).For("q1")!["a"]);
        Assert.AreEqual(0.9, TrecRunReader.Read(path, DuplicatePolicy.KeepHighest).For("q1")!["a"]);
    }

    [TestMethod]
    public void Readers_ReportFileLineAndColumn()
    {
        using var tmp = new TempFiles();
        var badScore = tmp.Write("bad.run", "q1 Q0 a 1 0.5 t", "q1 Q0 b 2 high t");
        var ex = Assert.ThrowsExactly<DataFileException>(() => TrecRunReader.Read(badScore));
        Assert.AreEqual(2, ex.LineNumber);
        Assert.AreEqual(5, ex.Column);
        StringAssert.Contains(ex.Message, "bad.run:line 2, column 5");
        StringAssert.Contains(ex.Message, "'high'");

        var shortLine = tmp.Write("short.run", "q1 Q0 a 1 0.5");
        StringAssert.Contains(Assert.ThrowsExactly<DataFileException>(() => TrecRunReader.Read(shortLine)).Message, "expected 6 fields");

        var badGrade = tmp.Write("bad.qrels", "query-id\tcorpus-id\tscore", "1\td1\t1", "1\td2\tyes");
        var qex = Assert.ThrowsExactly<DataFileException>(() => QrelsReader.Read(badGrade));
        Assert.AreEqual(3, qex.LineNumber);
        Assert.AreEqual(3, qex.Column);

        var dup = tmp.Write("dup.qrels", "1 0 d1 1", "1 0 d1 0");
        StringAssert.Contains(Assert.ThrowsExactly<DataFileException>(() => QrelsReader.Read(dup)).Message, "already judged on line 1");
    }

    [TestMethod]
    public void QrelsReader_ReadsTrecAndBeirLayouts()
    {
        using var tmp = new TempFiles();
        var trec = QrelsReader.Read(tmp.Write("a.qrels", "1 0 d1 2", "1 0 d2 0", "2\t0\td3\t1"));
        Assert.AreEqual(2, trec.QueryCount);
        Assert.AreEqual(2, trec.For("1")!["d1"]);

        var beir = QrelsReader.Read(tmp.Write("test.tsv", "query-id\tcorpus-id\tscore", "1\t31715818\t1", "3\t14717500\t1"));
        Assert.AreEqual(2, beir.QueryCount);
        Assert.AreEqual(1, beir.For("3")!["14717500"]);
    }

    [TestMethod]
    public void RunFile_RoundTripsThroughWriteAndRead()
    {
        using var tmp = new TempFiles();
        var run = new RankingRun();
        run.Add("q", "a", 0.25);
        run.Add("q", "b", 0.75);
        string path = Path.Combine(tmp.Folder, "out.run");
        TrecRunReader.Write(run, path);
        Assert.AreEqual("q Q0 b 1 0.75 mlnetext", File.ReadLines(path).First());
        Assert.AreEqual(0.25, TrecRunReader.Read(path).For("q")!["a"]);
    }
}
