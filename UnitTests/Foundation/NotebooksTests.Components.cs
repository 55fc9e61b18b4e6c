using System.Text.RegularExpressions;
using MLNetExt.Notebooks;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Foundation;

/// <summary>The notebooks of the components built on the encoder (one each, small caps): run, key numbers, pictures, stored outputs.</summary>
public sealed partial class NotebooksTests
{
    private static void AssertPictureShownAndStored(string name, NotebookRunResult run)
    {
        Assert.IsTrue(run.Cells.Any(c => c.DisplayedFormats.Contains("text/html")), $"{name}: a picture is displayed");
        StringAssert.Contains(File.ReadAllText(NotebookPath(name)), "data:image/png;base64,", $"{name}: the stored notebook shows the picture");
        AssertOutputsStored(name, run);
    }

    [TestMethod]
    public async Task AttributionExplainsReviewsAndOcclusionBeatsRandom()
    {
        SharedData.Require("sst2");
        NotebookRunResult run = await RunAsync("attribution.ipynb");
        string output = run.Output;
        StringAssert.Contains(output, "trained on 1000 reviews");
        // The clearly positive review is carried by its adjectives.
        string top = Regex.Match(output, @"top words: (.+)  <- a gorgeous , witty , seductive movie \.").Groups[1].Value;
        Assert.IsTrue(top.Contains("witty", StringComparison.Ordinal) || top.Contains("gorgeous", StringComparison.Ordinal), output);
        StringAssert.Contains(output, "25 dev reviews");
        double occlusion = Number(output, @"occlusion\s+AOPC comprehensiveness ([0-9.]+)");
        double shap = Number(output, @"kernel-shap\s+AOPC comprehensiveness ([0-9.]+)");
        double random = Number(output, @"random\s+AOPC comprehensiveness (-?[0-9.]+)");
        Assert.IsGreaterThan(random + 0.1, occlusion, output);
        Assert.IsGreaterThan(random + 0.1, shap, output);
        AssertPictureShownAndStored("attribution.ipynb", run);
    }

    [TestMethod]
    public async Task CompressionQuantisesAndKeepsTheStsFigure()
    {
        SharedData.Require("stsb");
        NotebookRunResult run = await RunAsync("compression.ipynb");
        string output = run.Output;
        StringAssert.Matches(output, new Regex(@"\d+ operators in int8 \(6 QAttention, \d+ DynamicQuantizeMatMul\)"));
        double fp32 = Number(output, @"150 pairs: cosine spearman fp32 ([0-9.]+)");
        double int8 = Number(output, @"150 pairs: cosine spearman fp32 [0-9.]+, int8 ([0-9.]+)");
        Assert.IsGreaterThan(0.75, fp32, output);
        Assert.AreEqual(fp32, int8, 0.03, "int8 keeps the STS figure within 0.03");
        Assert.IsLessThan(0.1, Number(output, @"largest difference of a pair's cosine: ([0-9.]+)"), output);
        Assert.IsLessThan(Number(output, @"graph size: fp32 ([0-9.]+) MiB"), Number(output, @"graph size: fp32 [0-9.]+ MiB, int8 ([0-9.]+) MiB"), output);
        AssertPictureShownAndStored("compression.ipynb", run);
    }

    [TestMethod]
    public async Task ContextCompressionRanksPassagesAndTradesSizeForQuality()
    {
        SharedData.Require("scifact");
        NotebookRunResult run = await RunAsync("context-compression.ipynb");
        string output = run.Output;
        // The aspirin passage answers the aspirin question.
        StringAssert.Matches(output, new Regex(@"query: How does aspirin affect platelets\?\n\s+[0-9.]+\s+Aspirin irreversibly"));
        StringAssert.Contains(output, "60 abstracts");
        double Ndcg(string system) => Number(output, Regex.Escape(system) + @"\s+([0-9.]+)");
        double Bytes(string system) => Number(output, Regex.Escape(system) + @"\s+[0-9.]+\s+[0-9.]+\s+([0-9]+)");
        Assert.IsGreaterThan(0.5, Ndcg("MaxSim, every token"), output);
        Assert.IsGreaterThan(0.5, Ndcg("MaxSim, mean x4"), output);
        Assert.IsGreaterThan(Bytes("MaxSim, mean x4"), Bytes("MaxSim, every token"), output);
        Assert.IsGreaterThan(Bytes("MaxSim, mean x8"), Bytes("MaxSim, mean x4"), output);
        Assert.IsGreaterThan(Bytes("MaxSim, mean x4, int8"), Bytes("MaxSim, mean x4"), output);
        AssertPictureShownAndStored("context-compression.ipynb", run);
    }

    [TestMethod]
    public async Task ContrastiveTrainingTrainsSavesAndLoadsAnEncoder()
    {
        SharedData.Require("stsb");
        NotebookRunResult run = await RunAsync("contrastive-training.ipynb");
        string output = run.Output;
        StringAssert.Contains(output, "64 training paraphrase pairs, 100 dev pairs");
        Assert.IsGreaterThan(0.7, Number(output, @"untrained all-MiniLM-L6-v2: cosine spearman ([0-9.]+)"), output);
        StringAssert.Contains(output, "4 training steps", "64 pairs in batches of 16, one epoch");
        double trained = Number(output, @"trained: cosine spearman ([0-9.]+)");
        // Four small steps at a low learning rate move the encoder a little, not away from what it knew.
        Assert.IsGreaterThan(0.6, trained, output);
        Assert.AreEqual(trained, Number(output, @"saved and loaded: cosine spearman ([0-9.]+)"), 1e-4, "the saved folder holds the trained encoder");
        AssertPictureShownAndStored("contrastive-training.ipynb", run);
    }

    [TestMethod]
    public async Task NamedEntityRecognitionTrainsTagsAndScores()
    {
        SharedData.Require("wnut17");
        NotebookRunResult run = await RunAsync("named-entity-recognition.ipynb");
        string output = run.Output;
        StringAssert.Contains(output, "(128 used), 64 dev sentences, 13 tags");
        StringAssert.Contains(output, "trained on 128 sentences: 8 steps");
        // Eight steps with O weighed down find some entities (a full epoch is in BENCHMARKS.md).
        double f1 = Number(output, @"strict entity F1 ([0-9.]+)");
        Assert.IsTrue(f1 is > 0.05 and <= 1, output);
        Assert.IsGreaterThan(0, (int)Number(output, @"dev \(64 sentences, ([0-9]+) entities\)"), output);
        StringAssert.Matches(output, new Regex(@"-> \d+ entities"));
        AssertPictureShownAndStored("named-entity-recognition.ipynb", run);
    }
}
