using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Estimators.Baselines;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Estimators.Tuners;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Estimators;

[TestClass]
public sealed class BaselineTests
{
    [TestMethod]
    public void PairCosineScoresTheCosineOfTheEmbeddings()
    {
        var output = new PairCosineFactory.Output();
        PairCosineFactory.Map(new PairSimilarityFactory.Input { PairLeft = [1, 0, 0], PairRight = [1, 1, 0] }, output);
        Assert.AreEqual(1 / Math.Sqrt(2), output.Score, 1e-6);
        PairCosineFactory.Map(new PairSimilarityFactory.Input { PairLeft = [0, 0], PairRight = [1, 1] }, output);
        Assert.AreEqual(0, output.Score);
        Assert.ThrowsExactly<InvalidOperationException>(() =>
            PairCosineFactory.Map(new PairSimilarityFactory.Input { PairLeft = [1, 0], PairRight = [1, 1, 0] }, output));
    }

    [TestMethod]
    public void TheBaselinesOfEachTaskAreOfferedForEveryEncoderAndPooling()
    {
        string[] encoders = ["all-MiniLM-L6-v2", "snowflake-arctic-embed-xs"];
        var pair = SweepBaselines.For(SweepTask.Regression, ["a", "b"], encoders).Select(b => b.Name).ToArray();
        Assert.HasCount(6, pair);
        CollectionAssert.Contains(pair, "cosine(Encoder=all-MiniLM-L6-v2 Pooling=Mean)");
        CollectionAssert.Contains(pair, "cosine(Encoder=snowflake-arctic-embed-xs Pooling=Max)");
        CollectionAssert.AreEqual(new[] { "majority-class", "nearest-centroid(Encoder=all-MiniLM-L6-v2 Pooling=Mean)", "nearest-centroid(Encoder=snowflake-arctic-embed-xs Pooling=Cls)" },
            SweepBaselines.For(SweepTask.Classification, ["text"], encoders).Select(b => b.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "majority-class" }, SweepBaselines.For(SweepTask.Classification, ["a", "b"], encoders).Select(b => b.Name).ToArray());
        Assert.IsEmpty(SweepBaselines.For(SweepTask.Regression, ["a", "b"], []));
    }

    // The majority class and the nearest centroid on SST-2 slices: scored like trials, saved as pipeline files, loaded
    // back with identical predictions.
    [TestMethod]
    public void ClassificationBaselinesScoreLikeTrialsAndRoundTripThroughTheModelFile()
    {
        var ml = new MLContext(0);
        var train = TextDataset.Load(ml, SharedData.RequireFile("sst2", "train.tsv"), "label", ["sentence"], SweepTask.Classification, maxRows: 80);
        var valid = TextDataset.Load(ml, SharedData.RequireFile("sst2", "dev.tsv"), "label", ["sentence"], SweepTask.Classification, maxRows: 40);
        var pipeline = new SweepablePipeline([TextFeaturizers.FeaturizeText(["sentence"])], [StockTrainers.SdcaMaximumEntropy()]);
        var runner = new TextPipelineRunner(pipeline, train.Data, valid.Data, "label", SweepTask.Classification, "accuracy");

        string[] trainLabels = train.Data.GetColumn<ReadOnlyMemory<char>>("label").Select(l => l.ToString()).ToArray();
        string majority = trainLabels.GroupBy(l => l).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        string[] validLabels = valid.Data.GetColumn<ReadOnlyMemory<char>>("label").Select(l => l.ToString()).ToArray();

        TrialResult majorityResult = runner.RunBaseline(SweepBaselines.MajorityClass(), new TrialSettings(), CancellationToken.None);
        Assert.AreEqual(validLabels.Count(l => l == majority) / (double)validLabels.Length, majorityResult.Metric, 1e-9);
        Assert.AreEqual(0, majorityResult.Metrics["mcc"], 1e-9);
        string[] predicted = RoundTrip(ml, runner, majorityResult.Model!, valid.Data, out string[] reloaded);
        Assert.IsTrue(predicted.All(p => p == majority), $"majority {majority}; predicted {string.Join(',', predicted.Distinct())}; train {string.Join(',', trainLabels.GroupBy(l => l).Select(g => g.Key + ':' + g.Count()))}");
        CollectionAssert.AreEqual(predicted, reloaded);

        TrialResult centroid = runner.RunBaseline(SweepBaselines.NearestCentroid("sentence", "all-MiniLM-L6-v2"), new TrialSettings(), CancellationToken.None);
        Assert.IsGreaterThan(majorityResult.Metric, centroid.Metric, $"nearest-centroid {centroid.Metric} vs majority {majorityResult.Metric}");
        predicted = RoundTrip(ml, runner, centroid.Model!, valid.Data, out reloaded);
        CollectionAssert.AreEqual(predicted, reloaded);
        Assert.AreEqual(centroid.Metric, predicted.Zip(validLabels).Count(p => p.First == p.Second) / (double)validLabels.Length, 1e-9);
    }

    // The selection rule: on 40 STS-B pairs an SDCA over the encoder's pair features cannot match the encoder's own
    // cosine, so the sweep returns a cosine baseline; its model saves, loads and scores as reported, and the refit and
    // test scores are filled in.
    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public void ASweepReturnsABaselineThatBeatsEveryTrialAndSavesItLikeAnyModel()
    {
        string folder = Path.Combine(Path.GetTempPath(), "mlnetext-baseline-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string dev = SharedData.RequireFile("stsb", "dev.tsv");
            string[] lines = File.ReadAllLines(dev);
            string valid = Path.Combine(folder, "valid.tsv"), test = Path.Combine(folder, "test.tsv");
            File.WriteAllLines(valid, lines.Take(41));
            File.WriteAllLines(test, lines.Take(1).Concat(lines.Skip(41).Take(40)));
            TextSweepResult result = TextSweep.Run(new TextSweepOptions
            {
                Dataset = SharedData.RequireFile("stsb", "train.tsv"),
                MaxRows = 40,
                Validation = valid,
                Test = test,
                LabelColumn = "score",
                TextColumns = ["sentence1", "sentence2"],
                Task = SweepTask.Regression,
                Metric = "spearman",
                TimeSeconds = 100,
                MaxTrials = 1,
                Featurizers = ["encoder"],
                Trainers = ["sdca"],
                Refit = true,
                OutputFolder = Path.Combine(folder, "out"),
            });

            Assert.HasCount(6, result.Baselines);
            Assert.IsTrue(result.Baselines.All(b => b.Error is null && b.Test is not null), string.Join("; ", result.Baselines.Select(b => b.Error)));
            Assert.AreEqual(SweepCandidateKind.Baseline, result.Chosen.Kind, $"sweep best {result.SweepBest.Metric}, baselines {string.Join(", ", result.Baselines.Select(b => b.Metric))}");
            Assert.AreEqual(result.Baselines.Max(b => b.Metric), result.Chosen.Metric);
            Assert.IsGreaterThanOrEqualTo(result.SweepBest.Metric, result.Chosen.Metric);
            StringAssert.StartsWith(result.Chosen.Pipeline, "cosine(");

            // The refit of a cosine baseline is the same function of the text: identical test scores, and it is what was saved.
            Assert.IsNotNull(result.Refit);
            Assert.AreEqual(result.Chosen.Test!["spearman"], result.Refit.Test!["spearman"], 1e-9);
            Assert.AreSame(result.Refit.Model, result.Model);
            var ml = new MLContext(0);
            ITransformer loaded = SweepModelFile.Load(ml, result.ModelPath);
            var validSet = TextDataset.Load(ml, valid, "score", ["sentence1", "sentence2"], SweepTask.Regression);
            float[] before = result.Chosen.Model!.Transform(validSet.Data).GetColumn<float>("Score").ToArray();
            float[] after = loaded.Transform(validSet.Data).GetColumn<float>("Score").ToArray();
            CollectionAssert.AreEqual(before, after);
            Assert.AreEqual(result.Chosen.Metric, MLNetExt.Evaluation.Metrics.Correlation.Spearman(
                validSet.Data.GetColumn<float>("score").Select(v => (double)v).ToArray(), after.Select(v => (double)v).ToArray()), 1e-6);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string[] RoundTrip(MLContext ml, TextPipelineRunner runner, ITransformer model, IDataView data, out string[] reloaded)
    {
        string file = Path.Combine(Path.GetTempPath(), "mlnetext-baseline-model-" + Guid.NewGuid().ToString("N") + ".zip");
        try
        {
            Assert.IsTrue(SweepModelFile.NeedsPipelineFile(model));
            runner.SaveModel(model, file);
            ITransformer loaded = runner.LoadModel(file);
            reloaded = loaded.Transform(data).GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(v => v.ToString()).ToArray();
            return model.Transform(data).GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(v => v.ToString()).ToArray();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
