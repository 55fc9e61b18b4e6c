using Microsoft.ML;
using MLNetExt.Evaluation.Faithfulness;
using MLNetExt.Transforms.Attribution;
using static MLNetExt.UnitTests.Transforms.BagOfWordsModels;

namespace MLNetExt.UnitTests.Evaluation;

/// <summary>ERASER faithfulness metrics against hand-computed values, and the evaluator on a model with known attributions.</summary>
[TestClass]
public sealed class FaithfulnessTests
{
    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    [TestMethod]
    public void MetricsMatchHandComputedValues()
    {
        Assert.AreEqual(0.6, FaithfulnessMetrics.Comprehensiveness(0.9, 0.3), 1e-12);
        Assert.AreEqual(0.1, FaithfulnessMetrics.Sufficiency(0.9, 0.8), 1e-12);
        Assert.AreEqual(0.3, FaithfulnessMetrics.Aopc([0.1, 0.2, 0.6]), 1e-12);
        Assert.AreEqual(1, FaithfulnessMetrics.RationaleSize(9, 0.01));
        Assert.AreEqual(2, FaithfulnessMetrics.RationaleSize(9, 0.2));
        Assert.AreEqual(5, FaithfulnessMetrics.RationaleSize(9, 0.5));
        Assert.AreEqual(1, FaithfulnessMetrics.RationaleSize(10, 0.1));
        Assert.AreEqual(5, FaithfulnessMetrics.RationaleSize(10, 0.5));
        // p 0.9, empty text 0.4: suff(empty) = 0.5.
        Assert.AreEqual(0.8, FaithfulnessMetrics.NormalizedSufficiency(0.9, 0.8, 0.4), 1e-12);
        Assert.AreEqual(0.4, FaithfulnessMetrics.NormalizedComprehensiveness(0.9, 0.7, 0.4), 1e-12);
        Assert.AreEqual(1.0, FaithfulnessMetrics.NormalizedComprehensiveness(0.9, 0.3, 0.4), 1e-12, "clipped");
        Assert.IsTrue(double.IsNaN(FaithfulnessMetrics.NormalizedSufficiency(0.9, 0.8, 0.95)), "the empty text keeps the output");
        Assert.Throws<ArgumentOutOfRangeException>(() => FaithfulnessMetrics.RationaleSize(5, 0));
        Assert.Throws<ArgumentException>(() => FaithfulnessMetrics.Aopc([]));
    }

    [TestMethod]
    public void EvaluatorMeasuresTheTopWordsOfEachMethod()
    {
        var ml = new MLContext(1);
        var model = new ExplainedTextModel(Linear(ml), "Text", "Probability", mlContext: ml);
        var evaluator = new FaithfulnessEvaluator(model, new FaithfulnessOptions { Levels = [1.0 / 3] });
        FaithfulnessResult result = evaluator.Evaluate([TextInstance.Create("a great movie"), TextInstance.Create("")],
            [new OcclusionAttribution(model)]);
        Assert.AreEqual(1, result.Texts);
        Assert.AreEqual(1, result.SkippedTexts);
        MethodFaithfulness occlusion = result["occlusion"];
        // Top third = "great": without it the logit is 0, with only it the logit stays 3.
        Assert.AreEqual(Sigmoid(3) - 0.5, occlusion.Comprehensiveness[0], 1e-5);
        Assert.AreEqual(0, occlusion.Sufficiency[0], 1e-5);
        Assert.AreEqual(occlusion.Comprehensiveness[0], occlusion.AopcComprehensiveness, 1e-12);
        // Empty text: p = 0.5, so suff(empty) = 1 - (sigmoid(3) - 0.5); comprehensiveness normalises to 1.
        Assert.AreEqual(1, occlusion.NormalizedAopcComprehensiveness, 1e-5);
        Assert.AreEqual(1, occlusion.NormalizedAopcSufficiency, 1e-5);
        Assert.AreEqual(4, occlusion.ModelCallsPerText);
    }

    [TestMethod]
    public void OcclusionAndShapBeatRandomOnAModelWithKnownWeights()
    {
        var ml = new MLContext(1);
        var model = new ExplainedTextModel(Linear(ml), "Text", "Probability", mlContext: ml);
        TextInstance[] texts = new[] { "the plot is good and the cast is great", "a bad script , boring and long",
            "not great , not bad , just a film", "good acting but a boring and bad ending" }.Select(t => TextInstance.Create(t)).ToArray();
        var progress = new List<(int, int)>();
        var evaluator = new FaithfulnessEvaluator(model, new FaithfulnessOptions { Progress = new Sync(progress.Add) });
        FaithfulnessResult result = evaluator.Evaluate(texts,
            [new OcclusionAttribution(model), new KernelShapAttribution(model), new RandomAttribution(model)]);
        double random = result["random"].AopcComprehensiveness;
        Assert.IsTrue(result["occlusion"].AopcComprehensiveness > 2 * random, $"occlusion {result["occlusion"].AopcComprehensiveness} vs random {random}");
        Assert.IsTrue(result["kernel-shap"].AopcComprehensiveness > 2 * random, $"shap {result["kernel-shap"].AopcComprehensiveness} vs random {random}");
        Assert.IsTrue(result["occlusion"].AopcSufficiency < result["random"].AopcSufficiency);
        Assert.AreEqual(4, progress.Count);
        Assert.AreEqual((4, 4), progress[^1]);
        Assert.AreEqual(4, result.Attributions["kernel-shap"].Count);
    }

    [TestMethod]
    public void TextsEvaluatedInParallelGiveTheSequentialFigures()
    {
        var ml = new MLContext(1);
        var model = new ExplainedTextModel(Linear(ml), "Text", "Probability", mlContext: ml);
        TextInstance[] texts = new[] { "the plot is good and the cast is great", "a bad script , boring and long", "",
            "not great , not bad , just a film", "good acting but a boring and bad ending", "great", "bad bad good" }.Select(t => TextInstance.Create(t)).ToArray();
        WordBaseline sampled = WordBaseline.Sampled(UnigramWordSampler.FromTexts(texts.Select(t => t.Text)));
        FaithfulnessResult Run(int parallelism)
        {
            ITextAttributionMethod[] methods = [new OcclusionAttribution(model), new KernelShapAttribution(model, new KernelShapOptions { Samples = 24 }),
                new ReAgentAttribution(model), new RandomAttribution(model)];
            var progress = new List<(int, int)>();
            FaithfulnessResult result = new FaithfulnessEvaluator(model, new FaithfulnessOptions
            {
                Parallelism = parallelism, Progress = new Sync(p => { lock (progress) progress.Add(p); }),
                BaselineFor = m => m is ReAgentAttribution ? sampled : null,
            }).Evaluate(texts, methods);
            Assert.HasCount(texts.Length, progress, $"parallelism {parallelism}: one report per text");
            return result;
        }
        FaithfulnessResult sequential = Run(1), parallel = Run(3);
        Assert.AreEqual(sequential.Texts, parallel.Texts);
        Assert.AreEqual(1, parallel.SkippedTexts);
        foreach (MethodFaithfulness expected in sequential.Methods)
        {
            MethodFaithfulness actual = parallel[expected.Method];
            CollectionAssert.AreEqual(expected.Comprehensiveness.ToArray(), actual.Comprehensiveness.ToArray(), expected.Method);
            CollectionAssert.AreEqual(expected.Sufficiency.ToArray(), actual.Sufficiency.ToArray(), expected.Method);
            Assert.AreEqual(expected.NormalizedAopcSufficiency, actual.NormalizedAopcSufficiency, expected.Method);
            Assert.AreEqual(expected.ModelCallsPerText, actual.ModelCallsPerText, expected.Method);
            var inOrder = sequential.Attributions[expected.Method].Zip(parallel.Attributions[expected.Method]);
            Assert.IsTrue(inOrder.All(p => p.First.Words.SequenceEqual(p.Second.Words) && p.First.Scores.SequenceEqual(p.Second.Scores)), expected.Method);
        }

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsExactly<OperationCanceledException>(() => new FaithfulnessEvaluator(model, new FaithfulnessOptions { Parallelism = 2 })
            .Evaluate(texts, [new OcclusionAttribution(model)], cancelled.Token));
    }

    [TestMethod]
    public void AgreementOfIdenticalAttributionsIsOneAndOfReversedIsMinusOne()
    {
        var a = new TextAttribution("m", ["a", "b", "c"], [1f, 2f, 3f], 3, 0, 0.5f, 1, 0);
        var reversed = a with { Scores = [3f, 2f, 1f] };
        Assert.AreEqual(1, AttributionAgreement.MeanSpearman([a], [a]), 1e-12);
        Assert.AreEqual(-1, AttributionAgreement.MeanSpearman([a], [reversed]), 1e-12);
        Assert.Throws<ArgumentException>(() => AttributionAgreement.MeanSpearman([a], []));
    }

    [TestMethod]
    public void CancellationStopsTheEvaluation()
    {
        var ml = new MLContext(1);
        var model = new ExplainedTextModel(Linear(ml), "Text", "Probability", mlContext: ml);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() =>
            new FaithfulnessEvaluator(model).Evaluate([TextInstance.Create("good")], [new OcclusionAttribution(model)], cancelled.Token));
    }

    private sealed class Sync(Action<(int, int)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }
}
