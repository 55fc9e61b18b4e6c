using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Samples;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Foundation;

/// <summary>The samples really run and print what their documentation says.</summary>
[TestClass]
[DoNotParallelize]
public sealed class SamplesTests
{
    private static readonly string[] Sst2Labels = ["0", "1"];

    // The samples take the shared data folder; a missing dataset makes the test inconclusive, not failed.
    private static string DataFolder(string dataset)
    {
        SharedData.Require(dataset);
        return SharedData.Root!;
    }

    private static (T Result, string Output) Capture<T>(Func<T> sample)
    {
        T result = default!;
        string output = Capture(() => { result = sample(); });
        return (result, output);
    }

    private static string Capture(Action sample)
    {
        TextWriter original = Console.Out;
        var output = new StringWriter();
        Console.SetOut(output);
        try
        {
            sample();
        }
        finally
        {
            Console.SetOut(original);
        }
        return output.ToString().Replace("\r\n", "\n");
    }

    [TestMethod]
    public void CompressSample_IndexesKVectorsPerPassage_AndRanksTheAnsweringPassageFirst()
    {
        var (ranked, text) = Capture(ContextCompressionSample.Example);
        StringAssert.StartsWith(ranked[0], "Aspirin");
        StringAssert.Contains(text, "passage 0: K = ");
        StringAssert.Contains(text, "bytes (int8)");
    }

    [TestMethod]
    public void RankingSamplePrintsTheHandComputedMeasures()
    {
        string text = Capture(RankingMetricsSample.Example);
        StringAssert.Contains(text, "ndcg_cut_3   0.6956");
        StringAssert.Contains(text, "map_cut_10   0.6667");
        StringAssert.Contains(text, "recip_rank   0.7500");
    }

    [TestMethod]
    public void TunerSamplePrintsBothTuners()
    {
        string text = Capture(TunerSample.Example);

        double BestOf(string tuner)
        {
            var match = System.Text.RegularExpressions.Regex.Match(text, $@"^{tuner} +best Branin value after 40 trials: (\d+\.\d{{4}})$",
                System.Text.RegularExpressions.RegexOptions.Multiline);
            Assert.IsTrue(match.Success, $"no line for {tuner}:\n{text}");
            return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        double random = BestOf("random"), tpe = BestOf("tpe");

        // Branin's global minimum is 0.397887 (its mean over the domain is about 55): no tuner can go below it, and
        // in 40 trials the model-based tuner gets within 0.25 of it and ahead of random search, as the sample says.
        const double minimum = 0.397887;
        Assert.IsGreaterThanOrEqualTo(minimum - 5e-5, random, text);
        Assert.IsGreaterThanOrEqualTo(minimum - 5e-5, tpe, text);
        Assert.IsLessThan(minimum + 0.25, tpe, text);
        Assert.IsLessThan(random, tpe, text);
        Assert.IsLessThan(5, random, "40 random trials land well below the domain's mean");
    }

    [TestMethod]
    public void EncoderSampleRuns()
    {
        string text = Capture(TextEncoderSample.Example);

        double Similarity(string pattern)
        {
            var match = System.Text.RegularExpressions.Regex.Match(text, pattern, System.Text.RegularExpressions.RegexOptions.Multiline);
            Assert.IsTrue(match.Success, $"'{pattern}' not printed:\n{text}");
            return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        double paraphrase = Similarity(@"^(-?\d\.\d{3})  ""A man is playing a guitar."" ~ ""Someone plays an instrument.""$");
        double unrelated1 = Similarity(@"^(-?\d\.\d{3})  ""A man is playing a guitar."" ~ ""The stock market fell sharply today.""$");
        double unrelated2 = Similarity(@"^(-?\d\.\d{3})  ""Someone plays an instrument."" ~ ""The stock market fell sharply today.""$");
        double query = Similarity(@"^query ~ first sentence: (-?\d\.\d{3})$");

        // MiniLM places the paraphrases close and the unrelated sentence near orthogonal; the one-row
        // PredictionEngine path must agree with the batched path (the query is about music, like the first sentence).
        Assert.IsGreaterThan(0.5, paraphrase, text);
        Assert.IsLessThan(0.2, Math.Abs(unrelated1), text);
        Assert.IsLessThan(0.2, Math.Abs(unrelated2), text);
        Assert.IsGreaterThan(0.3, query, text);
        StringAssert.Contains(text, "reloaded pipeline gives the same vector: True");
    }

    [TestMethod]
    public void SemanticSearchSampleRanksSciFactFarAboveChance()
    {
        var (result, output) = Capture(() => SemanticSearchSample.Example(DataFolder("scifact"), maxDocuments: 150));
        BeirResult dense = result.Dense;
        Assert.AreEqual(150, dense.Documents, output);
        Assert.IsGreaterThan(30, dense.Queries, output);
        foreach (BeirResult r in new[] { result.Dense, result.Bm25, result.Random })
            Assert.AreEqual(dense.Queries, r.Metrics.QueriesEvaluated, $"{r.System}: every judged query is scored");

        // Full-corpus NDCG@10: MiniLM 0.646, BM25 0.679; a 150-document slice is easier, but not perfect.
        double denseNdcg = dense.Metrics.Ndcg(10), bm25Ndcg = result.Bm25.Metrics.Ndcg(10), randomNdcg = result.Random.Metrics.Ndcg(10);
        Assert.IsTrue(denseNdcg is > 0.5 and < 0.99, $"dense NDCG@10 {denseNdcg:F4}\n{output}");
        Assert.IsTrue(bm25Ndcg is > 0.5 and < 0.99, $"BM25 NDCG@10 {bm25Ndcg:F4}\n{output}");
        Assert.IsLessThan(0.1, randomNdcg, output);
        Assert.IsGreaterThan(randomNdcg + 0.4, denseNdcg, output);
        Assert.IsGreaterThan(dense.Metrics.Ndcg(10), dense.Metrics.Recall(100), "recall@100 is at least NDCG@10 on this slice");
        StringAssert.Contains(output, "top hit: ");
    }

    [TestMethod]
    public void StsSampleCorrelatesWithHumanJudgements()
    {
        var (result, output) = Capture(() => StsEvaluationSample.Example(DataFolder("stsb"), maxPairs: 300));
        Assert.AreEqual(300, result.Count);
        Assert.IsGreaterThan(0.7, result.CosineSpearman, output);
        Assert.IsLessThan(1.0, result.CosineSpearman, output);
        StringAssert.Contains(output, $"Cosine       {result.CosineSpearman,8:F4}");
    }

    [TestMethod]
    public void NamedEntityRecognitionSampleTagsWnutSentences()
    {
        var (result, output) = Capture(() => NamedEntityRecognitionSample.Example(DataFolder("wnut17"), trainingSentences: 32, devSentences: 32));
        Assert.AreEqual(2, result.TrainingSteps, "32 sentences in batches of 16, one epoch");
        Assert.AreEqual(32, result.Dev.Sentences);
        Assert.IsTrue(result.Dev.Micro.F1 is >= 0 and <= 1, output);
        StringAssert.Contains(output, $"-> {result.Entities.Count} entities");
        Assert.IsTrue(result.Entities.All(e => e.End > e.Start && e.Text.Length > 0), output);
    }

    [TestMethod]
    public void KeywordRetrievalSampleLiftsTheListingsHoldingTheQueryKeywords()
    {
        var (result, output) = Capture(() => KeywordRetrievalSample.Example());
        CollectionAssert.AreEquivalent(new[] { "Toyota", "red" }, result.Keywords["q1"].ToArray(), output);
        Assert.AreEqual(12, result.Dense.Metrics.QueriesEvaluated);
        // Dense retrieval puts a black Toyota first for "red Toyota for sale"; both keyword stages put the red one first.
        Assert.AreEqual(0.0, result.Dense.Metrics.PerQuery["q1"]["P_1"], output);
        Assert.AreEqual(1.0, result.Boosted.Metrics.PerQuery["q1"]["P_1"], output);
        Assert.AreEqual(1.0, result.Filtered.Metrics.PerQuery["q1"]["P_1"], output);
        Assert.IsGreaterThan(result.Dense.Metrics.Ndcg(3), result.Filtered.Metrics.Ndcg(3), output);
        StringAssert.Contains(output, "dense + keyword filter (all)");
    }

    [TestMethod]
    public void FineTuningSamplePredictsSst2LabelsWithProbabilities()
    {
        var (result, output) = Capture(() => TextClassificationFineTuningSample.Example(DataFolder("sst2"), trainingRows: 64, devRows: 64, maxTokens: 32, epochs: 1));
        Assert.AreEqual(4, result.TrainingSteps, "64 rows in batches of 16, one epoch");
        Assert.AreEqual(64, result.Dev.Count);
        Assert.IsTrue(result.Dev.Metrics[GlueMetric.Accuracy] is >= 0 and <= 1, output);
        Assert.IsTrue(result.DevPredictions.All(Sst2Labels.Contains), string.Join(",", result.DevPredictions));
        Assert.HasCount(2, result.Examples);
        foreach (var example in result.Examples)
        {
            Assert.HasCount(2, example.Score);
            Assert.AreEqual(1.0, example.Score.Sum(), 1e-5, "class probabilities sum to one");
            Assert.AreEqual(example.Score[0] >= example.Score[1] ? "0" : "1", example.PredictedLabel, "the label is the likelier class");
        }
    }

    [TestMethod]
    public void SweepSampleRunsItsTrialsAndKeepsTheBest()
    {
        var (result, output) = Capture(() => TextClassificationSweepSample.Example(DataFolder("sst2"), trainingRows: 300, devRows: 100, maxTrials: 3));
        Assert.HasCount(3, result.Trials, output);
        Assert.IsTrue(result.Trials.All(t => !t.IsFailed), output);
        Assert.AreEqual(result.Trials.Max(t => t.Metric), result.Best.Metric, output);
        Assert.IsGreaterThan(0.5, result.Best.Metric, output);
        Assert.IsTrue(result.Predictions.All(Sst2Labels.Contains), string.Join(",", result.Predictions));
        StringAssert.Contains(output, $"best: trial {result.Best.TrialSettings.TrialId}");
    }

    [TestMethod]
    public void SaveLoadSampleReproducesTheSavedModel()
    {
        var (result, output) = Capture(() => EncoderPipelineSaveLoadSample.Example(DataFolder("sst2"), trainingRows: 200, devRows: 32));
        Assert.AreEqual(32, result.Rows);
        Assert.AreEqual(0f, result.MaxScoreDifference, output);
        Assert.IsTrue(result.SameLabels, output);
        StringAssert.Contains(result.StockSaveError, "SaveWithEncoders");
        Assert.IsGreaterThan(10_000_000, result.FileBytes, "the ONNX weights are inside the file");
        CollectionAssert.Contains(Sst2Labels, result.LoadedPrediction);
    }

    [TestMethod]
    public void VectorStoreSampleSearchesThroughTheGeneratorAndReadsBackItsSnapshot()
    {
        var (top, output) = Capture(() => VectorStoreSample.ExampleAsync(DataFolder("scifact"), maxDocuments: 100).GetAwaiter().GetResult());
        StringAssert.Contains(output, "generator: MLNetExt all-MiniLM-L6-v2, 384 dimensions");
        StringAssert.Contains(output, "indexed 100 abstracts");
        StringAssert.Contains(output, $"  {top}", "the first hit printed is the one returned");
        StringAssert.Contains(output, "snapshot: 100 abstracts read back, same top hit: True");
        Assert.AreEqual(3, output.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^  0\.\d{4}  ")), output);
    }

    [TestMethod]
    public void AttributionSampleExplainsFaithfullyAndWritesHtmlAndPng()
    {
        string folder = Path.Combine(Path.GetTempPath(), "mlnetext-explain-sample-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            (TextAttributionSample.Result result, string text) = Capture(() => TextAttributionSample.Example(DataFolder("sst2"), 2000, folder));
            StringAssert.Contains(text, "\"a gorgeous , witty , seductive movie .\" -> class 1: top words witty, gorgeous, a");
            StringAssert.Contains(text, "wrote attributions.html and attributions.png (2 texts)");
            double occlusion = result.Faithfulness["occlusion"].AopcComprehensiveness, random = result.Faithfulness["random"].AopcComprehensiveness;
            Assert.IsTrue(occlusion > 2 * random, $"occlusion {occlusion} vs random {random}");
            StringAssert.Contains(File.ReadAllText(result.HtmlPath), ">seductive</span>");
            Assert.IsTrue(new FileInfo(result.PngPath).Length > 0);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
