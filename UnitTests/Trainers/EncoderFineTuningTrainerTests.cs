using MLNetExt.Transforms.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Modules;
using MLNetExt.UnitTests.Infrastructure;
using TorchSharp;

using MLNetExt.Transforms;

using MLNetExt.Trainers.Training;

namespace MLNetExt.UnitTests.Trainers;

[TestClass]
public sealed class EncoderFineTuningTrainerTests
{
    private static string _encoderFolder = "";

    private sealed class SentenceRow
    {
        public string Sentence { get; set; } = "";
        public string Label { get; set; } = "";
    }

    private sealed class PairRow
    {
        public string Sentence1 { get; set; } = "";
        public string Sentence2 { get; set; } = "";
        public float Label { get; set; }
    }

    private sealed class BadRow
    {
        public float Sentence { get; set; }
        public string Label { get; set; } = "";
    }

    [ClassInitialize]
    public static void WriteTinyEncoder(TestContext context)
    {
        // A tiny random encoder in a Hugging Face-layout folder keeps these tests to seconds.
        _encoderFolder = TinyFineTuning.WriteEncoderFolder("mlnetext-tiny-encoder", seed: 3);
    }

    [ClassCleanup]
    public static void DeleteTinyEncoder()
    {
        if (Directory.Exists(_encoderFolder))
            Directory.Delete(_encoderFolder, recursive: true);
    }

    private static EncoderFineTuningOptions Options(string? second = null, string sentence = "Sentence") => new()
    {
        Encoder = EncoderModel.Load(_encoderFolder), SentenceColumnName = sentence, SecondSentenceColumnName = second, MaxTokens = 32,
        Training = new TrainingOptions { BatchSize = 8, Epochs = 2, LearningRate = 1e-3 },
    };

    [TestMethod]
    public void ClassifierFitsTransformsAndRoundTripsThroughItsOwnFile()
    {
        var ml = new MLContext(seed: 1);
        string sst2 = SharedData.Require("sst2");
        SentenceRow[] rows = File.ReadLines(Path.Combine(sst2, "train.tsv")).Skip(1).Take(40)
            .Select(l => l.Split('\t')).Select(f => new SentenceRow { Sentence = f[0], Label = f[1] }).ToArray();
        IDataView data = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        IDataView bad = ml.Data.LoadFromEnumerable(new[] { new BadRow { Sentence = 1, Label = "1" } });
        string file = Path.Combine(_encoderFolder, "classifier.zip");

        var trainer = ml.MulticlassClassification.Trainers.EncoderTextClassification(Options());
        // EstimatorWorkout compares item types without key awareness (ML.NET promises a key column as UInt32 + IsKey),
        // so the classifier's checks are spelled out here; the regression test below runs the full workout.
        SchemaShape promised = trainer.GetOutputSchema(MLNetExt.Transforms.Schema.SchemaShapeFactory.Create(data.Schema));
        var fitted = trainer.Fit(data);
        DataViewSchema produced = fitted.Transform(data).Schema;
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 2), produced["Score"].Type);
        Assert.AreEqual(new KeyDataViewType(typeof(uint), 2), produced["PredictedLabel"].Type);
        Assert.IsTrue(promised.Single(c => c.Name == "PredictedLabel").IsKey);
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, promised.Single(c => c.Name == "Score").Kind);
        var badSchema = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(bad));
        StringAssert.Contains(badSchema.Message, "Schema mismatch for input column 'Sentence'");
        fitted.Save(file);
        var loaded = EncoderFineTuningTransformer.Load(ml, file);
        using (Owned.Ends(loaded))
        {
            CollectionAssert.AreEqual(fitted.Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray(),
                loaded.Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray(), "scores after save and load");
            CollectionAssert.AreEqual(new[] { "0", "1" }, ReadKeyValues(loaded.Transform(data).Schema["PredictedLabel"]));
        }

        Assert.AreEqual(10, fitted.TrainingResult!.Steps);
        IDataView scored = fitted.Transform(data);
        float[][] scores = scored.GetColumn<float[]>("Score").ToArray();
        Assert.HasCount(40, scores);
        foreach (float[] s in scores)
            Assert.AreEqual(1.0, s.Sum(), 1e-5, "class probabilities sum to one");
        uint[] predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
        CollectionAssert.AreEqual(scores.Select(s => s[0] >= s[1] ? 1u : 2u).ToArray(), predicted);

        var error = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.Save(fitted, data.Schema, new MemoryStream()));
        StringAssert.Contains(error.Message, "mlContext.Model.SaveWithEncoders");
        StringAssert.Contains(error.Message, "EncoderFineTuningTransformer.Save(path)");
        fitted.Dispose();
    }

    private static string[] ReadKeyValues(DataViewSchema.Column column)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.Annotations.GetValue("KeyValues", ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    [TestMethod]
    public void SentencePairRegressionPredictsOneValuePerRow()
    {
        var ml = new MLContext(seed: 1);
        PairRow[] rows = File.ReadLines(SharedData.RequireFile("stsb", "train.tsv")).Skip(1).Take(24)
            .Select(l => l.Split('\t')).Select(f => new PairRow { Sentence1 = f[7], Sentence2 = f[8], Label = float.Parse(f[9], System.Globalization.CultureInfo.InvariantCulture) }).ToArray();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        EncoderFineTuningOptions options = Options("Sentence2", "Sentence1");
        options.ValidationSet = data;
        IDataView bad = ml.Data.LoadFromEnumerable(new[] { new { Sentence1 = "a", Sentence2 = "b", Label = "high" } });
        string file = Path.Combine(_encoderFolder, "regression.zip");
        var model = (EncoderFineTuningTransformer)EstimatorWorkout.Run(ml, ml.Regression.Trainers.EncoderSentenceSimilarity(options), data, bad,
            typeof(ArgumentOutOfRangeException), "Schema mismatch for input column 'Label'",
            (ctx, fitted, schema) =>
            {
                ((EncoderFineTuningTransformer)fitted).Save(file);
                return EncoderFineTuningTransformer.Load(ctx, file);
            });
        using var endModel = Owned.Ends(model);

        Assert.AreEqual(2, model.TrainingResult!.Evaluations.Count, "one evaluation per epoch");
        Assert.IsTrue(model.TrainingResult.Evaluations[^1].Metrics.ContainsKey("spearman"));
        float[] scores = model.Transform(data).GetColumn<float>("Score").ToArray();
        Assert.HasCount(24, scores);
        Assert.IsTrue(scores.All(float.IsFinite));
        float[][] direct = model.Predict(rows.Select(r => r.Sentence1).ToArray(), rows.Select(r => r.Sentence2).ToArray());
        CollectionAssert.AreEqual(direct.Select(d => d[0]).ToArray(), scores);

        // PredictionEngine goes through the row-to-row mapper: one row per call, same values as the batched view
        // (up to the float noise of padding a row alone instead of in a batch).
        using var engine = ml.Model.CreatePredictionEngine<PairRow, ScoredPair>(model);
        for (int i = 0; i < 4; i++)
            Assert.AreEqual(scores[i], engine.Predict(rows[i]).Score, 1e-4, $"row {i}");
    }

    private sealed class ScoredPair
    {
        public float Score { get; set; }
    }
}
