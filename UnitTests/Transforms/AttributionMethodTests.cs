using Microsoft.ML;
using MLNetExt.Transforms.Attribution;
using static MLNetExt.UnitTests.Transforms.BagOfWordsModels;

namespace MLNetExt.UnitTests.Transforms;

/// <summary>Each attribution method on a linear bag-of-words model whose true attributions are its weights.</summary>
[TestClass]
public sealed class AttributionMethodTests
{
    private const string Sentence = "a great movie , not bad , just boring";

    private static ExplainedTextModel Scalar(MLContext ml) => new(Linear(ml), "Text", "Logit", mlContext: ml);

    private static ExplainedTextModel Classifier(MLContext ml) => new(Linear(ml), "Text", "Probability", mlContext: ml);

    private static float[] TrueWeights(TextInstance text) => text.Words.Select(w => Weights.GetValueOrDefault(w)).ToArray();

    [TestMethod]
    public void OcclusionOfALinearScoreRecoversTheWeightsExactly()
    {
        var ml = new MLContext(1);
        TextInstance text = TextInstance.Create(Sentence);
        TextAttribution result = new OcclusionAttribution(Scalar(ml)).Attribute(text, WordBaseline.Remove, AttributionTarget.Score);
        CollectionAssert.AreEqual(text.Words, result.Words);
        float[] expected = TrueWeights(text);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], result.Scores[i], 1e-5, $"word '{text.Words[i]}'");
        Assert.AreEqual(text.Count + 1, result.ModelCalls, "one batch of n perturbations plus the original");
        Assert.AreEqual(Logit(Sentence), result.TargetValue, 1e-5);
    }

    [TestMethod]
    public void OcclusionAndKernelShapScoreEachTextInOneTransform()
    {
        var ml = new MLContext(1);
        var counting = new CountingTransformer(Linear(ml));
        var model = new ExplainedTextModel(counting, "Text", "Logit", mlContext: ml);
        TextInstance text = TextInstance.Create(Sentence);
        int before = counting.TransformCalls;
        new OcclusionAttribution(model).Attribute(text, WordBaseline.Remove, AttributionTarget.Score);
        Assert.AreEqual(before + 1, counting.TransformCalls, "the original and its n perturbations go through one Transform");
        new KernelShapAttribution(model, new KernelShapOptions { Samples = 64 }).Attribute(text, WordBaseline.Remove, AttributionTarget.Score);
        Assert.AreEqual(before + 2, counting.TransformCalls);
    }

    [TestMethod]
    public void TextsAttributedTogetherShareOnePassAndGiveTheirOwnAttributions()
    {
        var ml = new MLContext(1);
        var counting = new CountingTransformer(Linear(ml));
        var model = new ExplainedTextModel(counting, "Text", "Probability", mlContext: ml);
        TextInstance[] texts = new[] { Sentence, "", "great", "the plot was bad but the cast was good" }.Select(t => TextInstance.Create(t)).ToArray();
        WordBaseline sampled = WordBaseline.Sampled(UnigramWordSampler.FromTexts(texts.Select(t => t.Text)));
        PerturbationAttribution[] methods = [new OcclusionAttribution(model), new KernelShapAttribution(model, new KernelShapOptions { Samples = 40 }),
            new ReAgentAttribution(model), new RandomAttribution(model)];
        foreach (PerturbationAttribution method in methods)
        {
            WordBaseline baseline = method is ReAgentAttribution ? sampled : WordBaseline.Remove;
            TextAttribution[] alone = texts.Select(t => method.Attribute(t, baseline, AttributionTarget.PredictedClass)).ToArray();
            int before = counting.TransformCalls;
            IReadOnlyList<TextAttribution> together = method.Attribute(texts, baseline, AttributionTarget.PredictedClass);
            if (method is not ReAgentAttribution)
                Assert.AreEqual(before + 1, counting.TransformCalls, $"{method.Name}: the texts and all their perturbations go through one Transform");
            Assert.HasCount(texts.Length, together);
            for (int t = 0; t < texts.Length; t++)
            {
                CollectionAssert.AreEqual(alone[t].Words, together[t].Words);
                Assert.AreEqual(alone[t].TargetIndex, together[t].TargetIndex, $"{method.Name}, text {t}");
                Assert.AreEqual(alone[t].ModelCalls, together[t].ModelCalls, $"{method.Name}, text {t}");
                Assert.AreEqual(alone[t].TargetValue, together[t].TargetValue, 1e-6, $"{method.Name}, text {t}");
                for (int i = 0; i < alone[t].Scores.Length; i++)
                    Assert.AreEqual(alone[t].Scores[i], together[t].Scores[i], 1e-5, $"{method.Name}, text {t}, word {i}");
            }
        }
    }

    [TestMethod]
    public void ExactKernelShapOfALinearScoreIsTheWeights()
    {
        var ml = new MLContext(1);
        TextInstance text = TextInstance.Create(Sentence); // 9 words: 510 proper coalitions, enumerated
        var shap = new KernelShapAttribution(Scalar(ml), new KernelShapOptions { Samples = 600 });
        TextAttribution result = shap.Attribute(text, WordBaseline.Remove, AttributionTarget.Score);
        float[] expected = TrueWeights(text);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], result.Scores[i], 1e-4, $"word '{text.Words[i]}'");
        Assert.AreEqual(512, result.ModelCalls, "all 2^9 coalitions");
    }

    [TestMethod]
    public void SampledKernelShapRanksTheWeightsInOrderAndAddsUpToTheOutputChange()
    {
        var ml = new MLContext(1);
        TextInstance text = TextInstance.Create("the plot was great but the acting was bad and the score was boring and good");
        var shap = new KernelShapAttribution(Scalar(ml), new KernelShapOptions { Samples = 300, Seed = 3 });
        TextAttribution result = shap.Attribute(text, WordBaseline.Remove, AttributionTarget.Score);
        Assert.AreEqual(302, result.ModelCalls);
        string[] ranked = result.Ranking().Select(i => text.Words[i]).ToArray();
        Assert.AreEqual("great", ranked[0]);
        Assert.AreEqual("good", ranked[1]);
        Assert.AreEqual("bad", ranked[^1]);
        Assert.AreEqual("boring", ranked[^2]);
        Assert.AreEqual(Logit(text.Text), result.Scores.Sum(), 1e-3, "the constrained fit adds up to f(x) - f(empty)");
    }

    [TestMethod]
    public void ReAgentRanksTheDecisiveWordFirst()
    {
        var ml = new MLContext(1);
        TextInstance text = TextInstance.Create("this film is a great piece of work with a plot and actors");
        var sampler = UnigramWordSampler.FromTexts(["the plot of the film", "a piece with actors and work", "it is this"]);
        var reagent = new ReAgentAttribution(Classifier(ml), new ReAgentOptions { Seed = 7, KeepTop = 1 });
        TextAttribution result = reagent.Attribute(text, WordBaseline.Sampled(sampler), AttributionTarget.PredictedClass);
        Assert.AreEqual(1, result.TargetIndex, "positive predicted");
        Assert.AreEqual("great", text.Words[result.Ranking()[0]]);
        Assert.AreEqual(1.0, result.Scores.Sum(), 1e-4, "softmax of the importance logits");
        Assert.IsTrue(result.ModelCalls <= 300, $"the call cap holds ({result.ModelCalls})");
        Assert.IsNotNull(result.Steps);
    }

    [TestMethod]
    public void ReAgentStopsEarlyOnceTheTopWordsKeepThePrediction()
    {
        var ml = new MLContext(1);
        TextInstance text = TextInstance.Create("great great great great great great great great");
        var reagent = new ReAgentAttribution(Classifier(ml), new ReAgentOptions { Seed = 1 });
        TextAttribution result = reagent.Attribute(text, WordBaseline.Remove, AttributionTarget.PredictedClass);
        Assert.AreEqual(1, result.Steps, "the top 5 'great's alone keep the positive prediction after one step");
        Assert.AreEqual(1 + 8 + 1, result.ModelCalls);
    }

    [TestMethod]
    public void RandomIsSeededPerTextAndCallsTheModelOnce()
    {
        var ml = new MLContext(1);
        TextInstance text = TextInstance.Create(Sentence);
        var random = new RandomAttribution(Classifier(ml), new RandomAttributionOptions { Seed = 5 });
        TextAttribution first = random.Attribute(text, WordBaseline.Remove, AttributionTarget.PredictedClass);
        TextAttribution second = random.Attribute(text, WordBaseline.Remove, AttributionTarget.PredictedClass);
        CollectionAssert.AreEqual(first.Scores, second.Scores);
        Assert.AreEqual(1, first.ModelCalls);
        TextAttribution other = new RandomAttribution(Classifier(ml), new RandomAttributionOptions { Seed = 6 })
            .Attribute(text, WordBaseline.Remove, AttributionTarget.PredictedClass);
        CollectionAssert.AreNotEqual(first.Scores, other.Scores);
    }

    [TestMethod]
    public void TargetsReadThePredictedOrChosenClass()
    {
        var ml = new MLContext(1);
        TextInstance text = TextInstance.Create("bad film");
        var occlusion = new OcclusionAttribution(Classifier(ml));
        TextAttribution predicted = occlusion.Attribute(text, WordBaseline.Remove, AttributionTarget.PredictedClass);
        Assert.AreEqual(0, predicted.TargetIndex, "negative predicted");
        Assert.IsTrue(predicted.Scores[0] > 0, "'bad' supports the negative class");
        TextAttribution positive = occlusion.Attribute(text, WordBaseline.Remove, AttributionTarget.Class(1));
        Assert.IsTrue(positive.Scores[0] < 0, "'bad' speaks against the positive class");
        Assert.Throws<ArgumentOutOfRangeException>(() => occlusion.Attribute(text, WordBaseline.Remove, AttributionTarget.Class(2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => occlusion.Attribute(text, WordBaseline.Remove, AttributionTarget.Score));
    }

    [TestMethod]
    public void BaselinesReplaceWordsAsDocumented()
    {
        TextInstance text = TextInstance.Create("Not bad,  really.");
        CollectionAssert.AreEqual(new[] { "Not", "bad", ",", "really", "." }, text.Words);
        Assert.AreEqual("Not bad,  really.", text.Render(i => text.Words[i]).First, "unperturbed rendering is the original");
        Assert.AreEqual("Not ,  really.", text.Render(i => i == 1 ? null : text.Words[i]).First);
        Assert.AreEqual("Not [UNK],  really.", text.Render(i => i == 1 ? WordBaseline.UnknownToken().Replacement(new Random(0)) : text.Words[i]).First);
        var sampler = UnigramWordSampler.FromTexts(["fine fine fine"]);
        Assert.AreEqual("fine", WordBaseline.Sampled(sampler).Replacement(new Random(0)));
        Assert.AreEqual(3, sampler.Counts[0]);
    }

    [TestMethod]
    public void PairsAreAttributedOverTheWordsOfBothTexts()
    {
        var ml = new MLContext(1);
        var model = new ExplainedTextModel(Pair(ml), "Text", "Logit", pairColumnName: "Other", mlContext: ml);
        TextInstance pair = TextInstance.Create("a great day", "a bad day");
        Assert.AreEqual(3, pair.FirstWordCount);
        TextAttribution result = new OcclusionAttribution(model).Attribute(pair, WordBaseline.Remove, AttributionTarget.Score);
        CollectionAssert.AreEqual(new[] { 0f, 3f, 0f, 0f, 2f, 0f }, result.Scores);
        Assert.AreEqual(3, result.FirstWordCount);
        Assert.Throws<ArgumentException>(() => model.Score([new TextPair("single", null)]));
    }

    [TestMethod]
    public void EmptyAndSingleWordTextsHaveDefinedResults()
    {
        var ml = new MLContext(1);
        ExplainedTextModel model = Scalar(ml);
        foreach (ITextAttributionMethod method in new ITextAttributionMethod[]
            { new OcclusionAttribution(model), new KernelShapAttribution(model), new ReAgentAttribution(model), new RandomAttribution(model) })
        {
            TextAttribution empty = method.Attribute(TextInstance.Create(""), WordBaseline.Remove, AttributionTarget.Score);
            Assert.AreEqual(0, empty.Scores.Length, method.Name);
            Assert.AreEqual(1, empty.ModelCalls, method.Name);
            TextAttribution single = method.Attribute(TextInstance.Create("great"), WordBaseline.Remove, AttributionTarget.Score);
            Assert.AreEqual(1, single.Scores.Length, method.Name);
        }
        Assert.AreEqual(3f, new KernelShapAttribution(model).Attribute(TextInstance.Create("great"), WordBaseline.Remove, AttributionTarget.Score).Scores[0], 1e-5);
    }

    [TestMethod]
    public void WordsPastTheCapAreNotPerturbedAndScoreZero()
    {
        var ml = new MLContext(1);
        TextInstance text = TextInstance.Create("fine fine great");
        TextAttribution result = new OcclusionAttribution(Scalar(ml), new OcclusionOptions { MaxWords = 2 })
            .Attribute(text, WordBaseline.Remove, AttributionTarget.Score);
        CollectionAssert.AreEqual(new[] { 0f, 0f, 0f }, result.Scores);
        Assert.AreEqual(3, result.ModelCalls);
    }

    [TestMethod]
    public void OutputColumnsThatAreMissingOrNotNumericAreRefused()
    {
        var ml = new MLContext(1);
        ITransformer model = Linear(ml);
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => new ExplainedTextModel(model, "Text", "Nope", mlContext: ml));
        StringAssert.Contains(missing.Message, "Could not find output column 'Nope'");
        var text = Assert.Throws<ArgumentOutOfRangeException>(() => new ExplainedTextModel(model, "Text", "Label", mlContext: ml));
        StringAssert.Contains(text.Message, "Schema mismatch for output column 'Label': expected Single or vector of Single, got String");
        var input = Assert.Throws<ArgumentOutOfRangeException>(() => new ExplainedTextModel(model, "Review", "Logit", mlContext: ml));
        StringAssert.Contains(input.Message, "'Review'");
    }

    [TestMethod]
    public void CancellationStopsAnAttribution()
    {
        var ml = new MLContext(1);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() =>
            new KernelShapAttribution(Scalar(ml)).Attribute(TextInstance.Create(Sentence), WordBaseline.Remove, AttributionTarget.Score, cancelled.Token));
    }

    [TestMethod]
    public void OptionsOutOfRangeAreRefusedWithTheirValue()
    {
        var ml = new MLContext(1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ReAgentOptions { ReplacingRatio = 1.5 }.Create(Scalar(ml)));
        StringAssert.Contains(error.Message, "1.5");
        Assert.Throws<ArgumentOutOfRangeException>(() => new KernelShapOptions { Samples = 0 }.Create(Scalar(ml)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OcclusionOptions { MaxWords = 0 }.Create(Scalar(ml)));
    }
}
