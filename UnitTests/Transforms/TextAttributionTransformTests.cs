using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms.Attribution;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Transforms;

/// <summary>The ExplainText estimator/transformer: schema, save/load inside a pipeline file, PredictionEngine, errors.</summary>
[TestClass]
public sealed class TextAttributionTransformTests
{
    private sealed class Review
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    private sealed class Explained
    {
        public float[] Attributions { get; set; } = [];
        public string[] Words { get; set; } = [];
    }

    private sealed class Number
    {
        public float Text { get; set; }
    }

    /// <summary>A stock FeaturizeText + SDCA sentiment pipeline where "excellent" and "awful" decide the label.</summary>
    private static (ITransformer Model, IDataView Data) StockSentiment(MLContext ml)
    {
        string[] fillers = ["the film", "a story", "this plot", "our cast", "the ending", "some scenes", "the music", "its pace"];
        var rows = new List<Review>();
        for (int i = 0; i < 64; i++)
        {
            bool positive = i % 2 == 0;
            rows.Add(new Review { Text = $"{fillers[i % 8]} was {(positive ? "excellent" : "awful")} and {fillers[(i / 2) % 8]}", Label = positive });
        }
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        ITransformer model = ml.Transforms.Text.FeaturizeText("Features", "Text")
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 50))
            .Fit(data);
        return (model, data);
    }

    private static IDataView Texts(MLContext ml, params string[] texts) =>
        ml.Data.LoadFromEnumerable(texts.Select(t => new Review { Text = t }));

    [TestMethod]
    public void WorkoutWithAStockPipelineSavesTheExplainedModelInside()
    {
        var ml = new MLContext(1);
        (ITransformer model, _) = StockSentiment(ml);
        TextAttributionEstimator estimator = ml.Transforms.Text.ExplainText(model, "Text", "Probability");
        IDataView valid = Texts(ml, "the film was excellent and the music", "our cast was awful", "", "excellent");
        IDataView invalid = ml.Data.LoadFromEnumerable(new[] { new Number { Text = 1 } });
        var fitted = (TextAttributionTransformer)EstimatorWorkout.Run(ml, estimator, valid, invalid, typeof(ArgumentOutOfRangeException),
            "Schema mismatch for input column 'Text': expected String, got Single", SaveWithEncodersRoundTrip);
        Assert.AreEqual("occlusion", fitted.Method.Name);
    }

    private static ITransformer SaveWithEncodersRoundTrip(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        Assert.Throws<NotSupportedException>(() => ml.Model.Save(model, schema, new MemoryStream()));
        using var stream = new MemoryStream();
        ml.Model.SaveWithEncoders(model, schema, stream);
        stream.Position = 0;
        return ml.Model.LoadWithEncoders(stream, out _);
    }

    [TestMethod]
    public void TheDecisiveWordRanksFirstThroughTransformAndPredictionEngine()
    {
        var ml = new MLContext(1);
        (ITransformer model, _) = StockSentiment(ml);
        TextAttributionTransformer explain = ml.Transforms.Text.ExplainText(model, "Text", "Probability").Fit(Texts(ml, "x"));
        Explained row = ml.Data.CreateEnumerable<Explained>(explain.Transform(Texts(ml, "the plot was excellent and the music")), reuseRowObject: false).Single();
        CollectionAssert.AreEqual(new[] { "the", "plot", "was", "excellent", "and", "the", "music" }, row.Words);
        int top = Array.IndexOf(row.Attributions, row.Attributions.Max());
        Assert.AreEqual("excellent", row.Words[top], "the decisive word of the positive probability");

        var engine = ml.Model.CreatePredictionEngine<Review, Explained>(explain);
        // The scalar probability of the positive class is explained: "awful" pulls it down the most.
        Explained first = engine.Predict(new Review { Text = "this story was awful" });
        Assert.AreEqual("awful", first.Words[Array.IndexOf(first.Attributions, first.Attributions.Min())]);
        Explained second = engine.Predict(new Review { Text = "awful music" });
        Assert.AreEqual(2, second.Words.Length, "a new text is explained, not the cached one");
    }

    [TestMethod]
    public void EveryMethodAndBaselineSurvivesSaveAndLoad()
    {
        var ml = new MLContext(1);
        (ITransformer model, IDataView data) = StockSentiment(ml);
        IDataView texts = Texts(ml, "the film was excellent and the music", "some scenes was awful");
        foreach (var options in new TextAttributionOptions[]
        {
            new() { ScoreColumnName = "Probability", Method = new ReAgentOptions { Seed = 3, MaxModelCalls = 60 } },
            new() { ScoreColumnName = "Score", Method = new KernelShapOptions { Samples = 40 }, Baseline = WordBaselineKind.UnknownToken, Target = AttributionTarget.Score },
            new() { ScoreColumnName = "Probability", Method = new RandomAttributionOptions { Seed = 9 }, AttributionsColumnName = "A", WordsColumnName = "W" },
        })
        {
            TextAttributionTransformer fitted = ml.Transforms.Text.ExplainText(model, options).Fit(data);
            if (options.Method is ReAgentOptions)
                Assert.AreEqual(WordBaselineKind.SampledWord, fitted.Baseline.Kind, "ReAGent samples words of the fitting data by default");
            ITransformer loaded = SaveWithEncodersRoundTrip(ml, fitted, data.Schema);
            SchemaShape columns = ml.Transforms.Text.ExplainText(model, options).GetOutputSchema(MLNetExt.Transforms.Schema.SchemaShapeFactory.Create(texts.Schema));
            EstimatorWorkout.AssertSameValues(fitted.Transform(texts), loaded.Transform(texts), columns);
            Assert.AreEqual(1, loaded.DisposeEncoders());
        }
    }

    [TestMethod]
    public void ABadOutputColumnIsRefusedAtFit()
    {
        var ml = new MLContext(1);
        (ITransformer model, IDataView data) = StockSentiment(ml);
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.ExplainText(model, "Text", "Nope").Fit(data));
        StringAssert.Contains(missing.Message, "Could not find output column 'Nope'");
        var notNumeric = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.ExplainText(model, "Text", "PredictedLabel").Fit(data));
        StringAssert.Contains(notNumeric.Message, "expected Single or vector of Single, got Boolean");
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.ExplainText(model, new TextAttributionOptions { WordsColumnName = "Attributions" }));
    }

    [TestMethod]
    public void ACancelledTransformStopsAtTheNextRow()
    {
        var ml = new MLContext(1);
        (ITransformer model, IDataView data) = StockSentiment(ml);
        TextAttributionTransformer explain = ml.Transforms.Text.ExplainText(model, "Text", "Probability").Fit(data);
        using var cancellation = new CancellationTokenSource();
        IDataView view = explain.Transform(data, cancellation.Token);
        using DataViewRowCursor cursor = view.GetRowCursor(view.Schema);
        var getter = cursor.GetGetter<VBuffer<float>>(view.Schema["Attributions"]);
        VBuffer<float> value = default;
        Assert.IsTrue(cursor.MoveNext());
        getter(ref value);
        Assert.AreEqual(1, explain.ExplainedRowCount);
        cancellation.Cancel();
        Assert.Throws<OperationCanceledException>(() => cursor.MoveNext());
    }
}
