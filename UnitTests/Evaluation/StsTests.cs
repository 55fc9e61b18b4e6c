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
}
