using Microsoft.ML;
using MLNetExt.Evaluation.Faithfulness;
using MLNetExt.Trainers.Attribution;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Transforms.Attribution;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>Integrated gradients and gradient x input on a tiny fine-tuned encoder classifier.</summary>
[TestClass]
public sealed class IntegratedGradientsTests
{
    private static string _encoder = "";
    private static EncoderFineTuningTransformer _model = null!;

    public sealed class ReviewRow
    {
        public string Sentence { get; set; } = "";
        public string Label { get; set; } = "";
    }

    [ClassInitialize]
    public static void TrainTinyClassifier(TestContext context)
    {
        _encoder = TinyFineTuning.WriteEncoderFolder("mlnetext-ig-encoder", seed: 11);
        var ml = new MLContext(1);
        ReviewRow[] rows = File.ReadLines(SharedData.RequireFile("sst2", "train.tsv")).Skip(1).Take(32)
            .Select(l => l.Split('\t')).Select(f => new ReviewRow { Sentence = f[0], Label = f[1] }).ToArray();
        IDataView data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        _model = ml.MulticlassClassification.Trainers.EncoderTextClassification(new EncoderFineTuningOptions
        {
            Encoder = MLNetExt.Transforms.EncoderModel.Load(_encoder), SentenceColumnName = "Sentence", MaxTokens = 32,
            Training = new MLNetExt.Trainers.Training.TrainingOptions { BatchSize = 8, Epochs = 1, LearningRate = 1e-3 },
        }).Fit(data);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        _model.Dispose();
        Directory.Delete(_encoder, recursive: true);
    }

    private static ExplainedTextModel Explained() => new(_model, "Sentence", "Score");

    [TestMethod]
    public void CompletenessGapShrinksWithStepsAndScoresAddUpToTheOutputChange()
    {
        TextInstance text = TextInstance.Create("an unforgettable , wonderfully acted film");
        using var coarse = (IntegratedGradientsAttribution)new IntegratedGradientsOptions { Steps = 2 }.Create(Explained());
        using var fine = (IntegratedGradientsAttribution)new IntegratedGradientsOptions { Steps = 64, BatchSize = 32 }.Create(Explained());
        TextAttribution a = coarse.Attribute(text, WordBaseline.Remove, AttributionTarget.PredictedClass);
        TextAttribution b = fine.Attribute(text, WordBaseline.Remove, AttributionTarget.PredictedClass);
        Assert.AreEqual(text.Count, b.Scores.Length, "word pieces summed into words");
        Assert.IsNotNull(b.CompletenessGap);
        Assert.IsTrue(b.CompletenessGap < a.CompletenessGap!.Value + 1e-6, $"gap {b.CompletenessGap} at 64 steps vs {a.CompletenessGap} at 2");
        Assert.AreEqual(2 + 64, b.ModelCalls);
        // The served ONNX model and the TorchSharp copy agree on the explained probability.
        float served = _model.Predict([text.Text])[0][b.TargetIndex];
        Assert.AreEqual(served, b.TargetValue, 1e-3);
    }

    [TestMethod]
    public void GradientTimesInputAndUnknownBaselineRunAndSampledWordsAreRefused()
    {
        TextInstance text = TextInstance.Create("a dull , lifeless remake");
        using var gxi = (IntegratedGradientsAttribution)new IntegratedGradientsOptions { GradientTimesInput = true }.Create(Explained());
        TextAttribution result = gxi.Attribute(text, WordBaseline.UnknownToken(), AttributionTarget.Class(0));
        Assert.AreEqual("gradient-x-input", result.Method);
        Assert.AreEqual(3, result.ModelCalls);
        Assert.IsNull(result.CompletenessGap);
        Assert.IsTrue(result.Scores.Any(s => s != 0));
        var sampler = UnigramWordSampler.FromTexts(["some words"]);
        Assert.Throws<ArgumentException>(() => gxi.Attribute(text, WordBaseline.Sampled(sampler), AttributionTarget.PredictedClass));
    }

    [TestMethod]
    public void RandomizedWeightsGiveDifferentAttributions()
    {
        TextInstance[] texts = new[] { "a gorgeous , witty , seductive movie", "the story is predictable and the acting is flat", "it 's a charming and often affecting journey" }
            .Select(t => TextInstance.Create(t)).ToArray();
        using var ig = (IntegratedGradientsAttribution)new IntegratedGradientsOptions { Steps = 8 }.Create(Explained());
        using IntegratedGradientsAttribution random = ig.WithRandomizedWeights(3);
        var trained = texts.Select(t => ig.Attribute(t, WordBaseline.Remove, AttributionTarget.Class(1))).ToArray();
        var randomized = texts.Select(t => random.Attribute(t, WordBaseline.Remove, AttributionTarget.Class(1))).ToArray();
        Assert.AreEqual(1, AttributionAgreement.MeanSpearman(trained, trained), 1e-9);
        Assert.IsTrue(AttributionAgreement.MeanSpearman(trained, randomized) < 0.9, "different weights, different ranks");
    }

    [TestMethod]
    public void PipelinesWithoutAFineTunedEncoderAreRefusedByName()
    {
        var ml = new MLContext(1);
        ITransformer stock = ml.Transforms.Text.FeaturizeText("Features", "Sentence")
            .Fit(ml.Data.LoadFromEnumerable(new[] { new ReviewRow { Sentence = "x" } }));
        var model = new ExplainedTextModel(stock, "Sentence", "Features", mlContext: ml);
        var error = Assert.Throws<ArgumentException>(() => new IntegratedGradientsOptions().Create(model));
        StringAssert.Contains(error.Message, "EncoderFineTuningTransformer");
    }

    [TestMethod]
    public void ExplainTextWithIntegratedGradientsSavesAndLoads()
    {
        var ml = new MLContext(1);
        var options = new TextAttributionOptions { InputColumnName = "Sentence", Method = new IntegratedGradientsOptions { Steps = 4 } };
        IDataView texts = ml.Data.LoadFromEnumerable(new[] { new ReviewRow { Sentence = "a touching , funny film" }, new ReviewRow { Sentence = "" } });
        TextAttributionTransformer fitted = ml.Transforms.Text.ExplainText(_model, options).Fit(texts);
        using var stream = new MemoryStream();
        ml.Model.SaveWithEncoders(fitted, texts.Schema, stream);
        stream.Position = 0;
        ITransformer loaded = ml.Model.LoadWithEncoders(stream, out _);
        var columns = ml.Transforms.Text.ExplainText(_model, options).GetOutputSchema(MLNetExt.Transforms.Schema.SchemaShapeFactory.Create(texts.Schema));
        EstimatorWorkout.AssertSameValues(fitted.Transform(texts), loaded.Transform(texts), columns);
        Assert.AreEqual("integrated-gradients", fitted.Method.Name);
    }
}
