using Microsoft.ML;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Estimators.Tuners;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Estimators;

[TestClass]
public sealed class TextPipelineSweepTests
{
    private sealed class Review
    {
        public string sentence { get; set; } = "";
    }

    private sealed class Prediction
    {
        public string PredictedLabel { get; set; } = "";
    }

    [TestMethod]
    public void SweepOnSst2SliceFindsAModelThatSavesLoadsAndPredicts()
    {
        string train = SharedData.RequireFile("sst2", "train.tsv");
        string dev = SharedData.RequireFile("sst2", "dev.tsv");
        var ml = new MLContext(0);
        var trainSet = TextDataset.Load(ml, train, "label", ["sentence"], SweepTask.Classification, maxRows: 1500);
        var devSet = TextDataset.Load(ml, dev, "label", ["sentence"], SweepTask.Classification, maxRows: 300);
        var pipeline = new SweepablePipeline(
            [TextFeaturizers.FeaturizeText(["sentence"])],
            [StockTrainers.SdcaMaximumEntropy(), StockTrainers.LbfgsMaximumEntropy()]);
        var runner = new TextPipelineRunner(pipeline, trainSet.Data, devSet.Data, "label", SweepTask.Classification, "accuracy");
        string folder = Path.Combine(Path.GetTempPath(), "mlnetext-text-sweep-" + Guid.NewGuid().ToString("N"));
        try
        {
            var writer = new StringWriter();
            var experiment = new SweepExperiment()
                .SetSearchSpace(pipeline.SearchSpace)
                .SetTrialRunner(runner)
                .SetTuner(space => new RandomSearchTuner(space, seed: 1))
                .SetMonitor(new TextWriterMonitor(writer, "accuracy"))
                .SetMaxTrials(5)
                .SetCheckpoint(folder);
            TrialResult best = experiment.Run();

            Assert.AreEqual(5, experiment.Trials.Count, writer.ToString());
            Assert.IsTrue(experiment.Trials.All(t => !t.IsFailed), writer.ToString());
            // 872 dev rows of SST-2 are balanced within a few points; 1,500 training rows with n-grams get well above chance.
            Assert.IsGreaterThan(0.62, best.Metric, writer.ToString());
            Assert.IsTrue(best.Metrics.ContainsKey("f1") && best.Metrics.ContainsKey("mcc"));
            // Features are computed once per featurizer configuration (at most 3 × 3 of them), not once per trial.
            int distinct = experiment.Trials.Select(t => pipeline.SelectFeaturizer(t.TrialSettings.Parameter).Parameter?.ToString()).Distinct().Count();
            Assert.AreEqual(distinct, runner.FeaturizationCount);

            string modelFile = Directory.GetFiles(folder, "best-model-trial*.zip").Single();
            ITransformer loaded = ml.Model.Load(modelFile, out _);
            var engine = ml.Model.CreatePredictionEngine<Review, Prediction>(loaded);
            Assert.AreEqual("1", engine.Predict(new Review { sentence = "a wonderful , moving and beautifully acted film" }).PredictedLabel);
            Assert.AreEqual("0", engine.Predict(new Review { sentence = "a dull , boring and painfully bad mess" }).PredictedLabel);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void BadDatasetColumnsAreNamedInTheError()
    {
        string train = SharedData.RequireFile("sst2", "train.tsv");
        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
            TextDataset.Load(new MLContext(0), train, "label", ["text"], SweepTask.Classification, maxRows: 10));
        StringAssert.Contains(e.Message, "train.tsv: line 1: no text column 'text'");
        StringAssert.Contains(e.Message, "sentence, label");
        var notNumber = Assert.ThrowsExactly<InvalidDataException>(() =>
            TextDataset.Load(new MLContext(0), SharedData.RequireFile("stsb", "train.tsv"), "genre", ["sentence1"], SweepTask.Regression, maxRows: 10));
        StringAssert.Contains(notNumber.Message, "line 2");
    }
}
