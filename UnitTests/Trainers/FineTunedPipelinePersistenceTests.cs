using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Transforms;

using MLNetExt.Transforms;

using MLNetExt.Trainers.Training;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>A fitted pipeline holding a fine-tuned encoder between stock ML.NET transforms, saved into one file.</summary>
[TestClass]
public sealed class FineTunedPipelinePersistenceTests
{
    private static TempFolder _folder = null!;
    private static string _encoder = "";

    public sealed class ReviewRow
    {
        public string Sentence { get; set; } = "";
        public string Label { get; set; } = "";
    }

    public sealed class ReviewPrediction
    {
        public float[] Score { get; set; } = [];
        public string PredictedLabel { get; set; } = "";
    }

    public sealed class PairRow
    {
        public string Sentence1 { get; set; } = "";
        public string Sentence2 { get; set; } = "";
        public float Label { get; set; }
    }

    [ClassInitialize]
    public static void WriteTinyEncoder(TestContext context)
    {
        _folder = new TempFolder("mlnetext-finetuned-pipeline");
        _encoder = TinyFineTuning.WriteEncoderFolder("mlnetext-tiny-encoder", seed: 5);
    }

    [ClassCleanup]
    public static void DeleteFolders()
    {
        _folder.Dispose();
        Directory.Delete(_encoder, recursive: true);
    }

    private static EncoderFineTuningOptions Options(string sentence = "Sentence", string? second = null) => new()
    {
        Encoder = EncoderModel.Load(_encoder), SentenceColumnName = sentence, SecondSentenceColumnName = second, MaxTokens = 32,
        Training = new TrainingOptions { BatchSize = 8, Epochs = 1, LearningRate = 1e-3 },
    };

    [TestMethod]
    public void ClassifierPipelineSavesToOneFileAndLoadsWithIdenticalPredictions()
    {
        var ml = new MLContext(seed: 1);
        ReviewRow[] rows = File.ReadLines(SharedData.RequireFile("sst2", "train.tsv")).Skip(1).Take(32)
            .Select(l => l.Split('\t')).Select(f => new ReviewRow { Sentence = f[0], Label = f[1] == "1" ? "positive" : "negative" }).ToArray();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.EncoderTextClassification(Options()))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        ITransformer model = pipeline.Fit(data);

        var stock = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.Save(model, data.Schema, new MemoryStream()));
        StringAssert.Contains(stock.Message, "mlContext.Model.SaveWithEncoders");

        string path = _folder.Combine("classifier-pipeline.zip");
        ml.Model.SaveWithEncoders(model, data.Schema, path);
        using (ZipArchive zip = ZipFile.OpenRead(path))
        {
            using JsonDocument manifest = JsonDocument.Parse(zip.GetEntry("manifest.json")!.Open());
            Assert.AreEqual(2, manifest.RootElement.GetProperty("Version").GetInt32(), "a file with an extension part is format version 2");
            JsonElement[] parts = manifest.RootElement.GetProperty("Parts").EnumerateArray().ToArray();
            CollectionAssert.AreEqual(new[] { "mlnet", "extension", "mlnet" }, parts.Select(p => p.GetProperty("Kind").GetString()).ToArray());
            Assert.AreEqual("MLNetExt.Trainers.FineTuning.FineTunedModelPart, MLNetExt.Trainers", parts[1].GetProperty("Type").GetString());
            Assert.IsNotNull(zip.GetEntry("part-1/model.onnx"));
        }

        var fresh = new MLContext(seed: 2);
        ITransformer loaded = fresh.Model.LoadWithEncoders(path, out DataViewSchema schema);
        Assert.AreEqual(data.Schema.Count, schema.Count);
        ReviewPrediction[] before = ml.Data.CreateEnumerable<ReviewPrediction>(model.Transform(data), false).ToArray();
        ReviewPrediction[] after = fresh.Data.CreateEnumerable<ReviewPrediction>(loaded.Transform(data), false).ToArray();
        CollectionAssert.AreEqual(before.SelectMany(p => p.Score).ToArray(), after.SelectMany(p => p.Score).ToArray(), "scores after save and load");
        CollectionAssert.AreEqual(before.Select(p => p.PredictedLabel).ToArray(), after.Select(p => p.PredictedLabel).ToArray());
        CollectionAssert.IsSubsetOf(after.Select(p => p.PredictedLabel).Distinct().ToArray(), new[] { "negative", "positive" }, "labels map back to the original strings");

        using var original = ml.Model.CreatePredictionEngine<ReviewRow, ReviewPrediction>(model);
        using var reloaded = fresh.Model.CreatePredictionEngine<ReviewRow, ReviewPrediction>(loaded);
        for (int i = 0; i < 4; i++)
        {
            ReviewPrediction expected = original.Predict(rows[i]), actual = reloaded.Predict(rows[i]);
            CollectionAssert.AreEqual(expected.Score, actual.Score, $"row {i} through PredictionEngine");
            Assert.AreEqual(expected.PredictedLabel, actual.PredictedLabel);
            Assert.AreEqual(before[i].Score[0], actual.Score[0], 1e-4, "one row alone scores like the batched view");
        }
    }

    [TestMethod]
    public void SimilarityModelAloneRoundTripsThroughThePipelineFile()
    {
        var ml = new MLContext(seed: 1);
        PairRow[] rows = File.ReadLines(SharedData.RequireFile("stsb", "train.tsv")).Skip(1).Take(16)
            .Select(l => l.Split('\t')).Select(f => new PairRow { Sentence1 = f[7], Sentence2 = f[8], Label = float.Parse(f[9], System.Globalization.CultureInfo.InvariantCulture) }).ToArray();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        EncoderFineTuningTransformer model = ml.Regression.Trainers.EncoderSentenceSimilarity(Options("Sentence1", "Sentence2")).Fit(data);
        using var endModel = Owned.Ends(model);

        using var stream = new MemoryStream();
        ml.Model.SaveWithEncoders(model, data.Schema, stream);
        stream.Position = 0;
        ITransformer loaded = ml.Model.LoadWithEncoders(stream, out _);

        var part = (EncoderFineTuningTransformer)((IEnumerable<ITransformer>)loaded).Single();
        Assert.AreEqual(FineTuningKind.Regression, part.Kind);
        Assert.IsNull(part.TrainingResult, "a loaded model has no training record");
        CollectionAssert.AreEqual(model.Transform(data).GetColumn<float>("Score").ToArray(), loaded.Transform(data).GetColumn<float>("Score").ToArray());
    }
}
