using MLNetExt.Transforms;
using Microsoft.ML;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.IO;
using MLNetExt.Evaluation.Metrics;
using MLNetExt.Evaluation.Sts;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Evaluation;

[TestClass]
public sealed class StsTests
{
    private static readonly StsPair[] Pairs =
    [
        new("a b c d", "a b c d", 5),
        new("a b c d", "a b c e", 4),
        new("a b c d", "a b e f", 3),
        new("a b c d", "a e f g", 2),
        new("a b c d", "e f g h", 0),
    ];

    [TestMethod]
    public void FakeEncoder_GivesKnownCorrelations()
    {
        Assert.AreEqual(8, "abcdefgh".Select(c => HashEmbedding.Slot(c.ToString())).Distinct().Count(), "test vocabulary collides");
        var ml = new MLContext(seed: 1);
        var embedder = new TransformerEmbedder(ml, HashEmbedding.Create(ml));
        var reports = new List<EncodingProgress>();
        var result = StsEvaluator.Evaluate(Pairs, embedder, new SynchronousProgress<EncodingProgress>(reports.Add));

        Assert.AreEqual(5, result.Count);
        Assert.AreEqual(1.0, result.CosineSpearman, 1e-12);
        double expectedPearson = Correlation.Pearson([5, 4, 3, 2, 0], [1, 0.75, 0.5, 0.25, 0]);
        Assert.AreEqual(expectedPearson, result.BySimilarity[SimilarityFunction.Cosine].Pearson, 1e-6);
        Assert.AreEqual(1.0, result.BySimilarity[SimilarityFunction.Dot].Spearman, 1e-12);
        // Euclidean distance sqrt(2 * differing words) grows as overlap falls, so its negation ranks like the gold.
        Assert.AreEqual(1.0, result.BySimilarity[SimilarityFunction.Euclidean].Spearman, 1e-12);
        Assert.AreEqual(1.0, result.ByName["manhattan_spearman"], 1e-12);
        Assert.AreEqual(5, reports[^1].Total); // 10 sentences, 5 distinct, each encoded once
        Assert.AreEqual(5, reports[^1].Done);
    }

    [TestMethod]
    public void Embedder_NamesAMissingOrMistypedOutputColumn()
    {
        var ml = new MLContext(seed: 1);
        var wrongName = new TransformerEmbedder(ml, HashEmbedding.Create(ml), outputColumnName: "Vector");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => wrongName.EmbedAll(["a"])).Message, "Could not find output column 'Vector'");
        var wrongType = new TransformerEmbedder(ml, HashEmbedding.Create(ml), outputColumnName: "Text");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => wrongType.EmbedAll(["a"])).Message, "expected vector of Single");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var ok = new TransformerEmbedder(ml, HashEmbedding.Create(ml));
        Assert.ThrowsExactly<OperationCanceledException>(() => ok.EmbedAll(["a", "b"], cancellationToken: cts.Token));
    }

    [TestMethod]
    public void Reader_ReadsGlueAndOriginalLayouts()
    {
        var glue = StsReader.Read(SharedData.RequireFile("stsb", "dev.tsv"));
        Assert.AreEqual(1500, glue.Count);
        Assert.AreEqual(5.0, glue[0].Score);
        Assert.AreEqual("A man with a hard hat is dancing.", glue[0].Sentence1);

        using var tmp = new TempFiles();
        var original = StsReader.Read(tmp.Write("sts-dev.csv",
            "main-captions\tMSRvid\t2012test\t0000\t5.000\tA man with a hard hat is dancing.\tA man wearing a hard hat is dancing.",
            "main-news\theadlines\t2015\t0001\t1.6\t\"Quoted start\tend quote\"\tsource-a\tsource-b"));
        Assert.AreEqual(2, original.Count);
        Assert.AreEqual(1.6, original[1].Score);
        Assert.AreEqual("\"Quoted start", original[1].Sentence1);
        Assert.AreEqual("end quote\"", original[1].Sentence2);

        var bad = tmp.Write("bad.csv", "g\tf\ty\t1\tfive\ts1\ts2");
        var ex = Assert.ThrowsExactly<DataFileException>(() => StsReader.Read(bad));
        Assert.AreEqual(1, ex.LineNumber);
        Assert.AreEqual(5, ex.Column);
    }

    [TestMethod]
    public void Reader_ReadsSickByItsHeader_AndChecksTheRelatednessRange()
    {
        using var tmp = new TempFiles();
        StsData sick = StsReader.Load(tmp.Write("SICK_trial.txt", "pair_ID\tsentence_A\tsentence_B\trelatedness_score\tentailment_judgment",
            "1\tA boy plays.\tA child is playing.\t4.5\tENTAILMENT", "2\tA cat sleeps.\tA man drives.\t1\tNEUTRAL"));
        Assert.AreEqual(StsLayout.Sick, sick.Layout);
        Assert.AreEqual(2, sick.Pairs.Count);
        Assert.AreEqual(new StsPair("A boy plays.", "A child is playing.", 4.5, 2), sick.Pairs[0]);

        string outside = tmp.Write("sick-bad.txt", "pair_ID\tsentence_A\tsentence_B\trelatedness_score", "1\ta\tb\t4", "2\ta\tb\t0.5");
        var range = Assert.ThrowsExactly<DataFileException>(() => StsReader.Read(outside));
        Assert.AreEqual(3, range.LineNumber);
        Assert.AreEqual(4, range.Column);
        StringAssert.Contains(range.Message, "expected a Sick score in [1, 5], got 0.5");

        string noScore = tmp.Write("sick-noscore.txt", "pair_ID\tsentence_A\tsentence_B\tentailment_judgment", "1\ta\tb\tNEUTRAL");
        StringAssert.Contains(Assert.ThrowsExactly<DataFileException>(() => StsReader.Read(noScore)).Message, "no 'relatedness_score' column");
        StringAssert.Contains(Assert.ThrowsExactly<DataFileException>(() => StsReader.Read(noScore, StsLayout.Sick)).Message, "no 'relatedness_score' column");
    }

    [TestMethod]
    public void Reader_ReadsSemEvalLayout_SkippingAndCountingUnscoredLines()
    {
        using var tmp = new TempFiles();
        string path = tmp.Write("STS2016.answer-answer.txt", "4.000\tA man plays a guitar.\tA man is playing guitar.", "\tUnscored first.\tUnscored second.",
            "", "0.5\tIt \"rains.\tThe sun shines.");
        StsData data = StsReader.Load(path);
        Assert.AreEqual(StsLayout.SemEval, data.Layout);
        Assert.AreEqual(1, data.LinesWithoutScore);
        Assert.AreEqual(2, data.Pairs.Count);
        Assert.AreEqual(new StsPair("It \"rains.", "The sun shines.", 0.5, 4), data.Pairs[1]);

        // An unscored first line is still recognised as SemEval.
        Assert.AreEqual(StsLayout.SemEval, StsReader.Load(tmp.Write("lead.txt", "\ta\tb", "3\tc\td")).Layout);

        var shortLine = Assert.ThrowsExactly<DataFileException>(() => StsReader.Read(tmp.Write("short.txt", "3\ta\tb", "2\tonly one"), StsLayout.SemEval));
        Assert.AreEqual(2, shortLine.LineNumber);
        StringAssert.Contains(shortLine.Message, "expected at least 3 tab-separated fields (SemEval STS layout), got 2");
        var notNumber = Assert.ThrowsExactly<DataFileException>(() => StsReader.Read(tmp.Write("word.txt", "3\ta\tb", "high\tc\td"), StsLayout.SemEval));
        Assert.AreEqual((2, 1), (notNumber.LineNumber, notNumber.Column));
        var tooHigh = Assert.ThrowsExactly<DataFileException>(() => StsReader.Read(tmp.Write("high.txt", "5.2\ta\tb")));
        StringAssert.Contains(tooHigh.Message, "expected a SemEval score in [0, 5], got 5.2");
        StringAssert.Contains(tooHigh.Message, "high.txt");
    }

    [TestMethod]
    public void Reader_ReadsTheSharedSickFiles()
    {
        StsData trial = StsReader.Load(SharedData.RequireFile("sick", "SICK_trial.txt"));
        Assert.AreEqual(StsLayout.Sick, trial.Layout);
        Assert.AreEqual(500, trial.Pairs.Count);
        Assert.IsTrue(trial.Pairs.All(p => p.Score is >= 1 and <= 5));
    }
}
