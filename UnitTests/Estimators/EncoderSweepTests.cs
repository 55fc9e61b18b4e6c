using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Estimators.Tuners;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Estimators;

[TestClass]
public sealed class EncoderSweepTests
{
    [TestMethod]
    public void EncoderPairFeaturesScoreStsbAndTheModelRoundTripsThroughItsFile()
    {
        var ml = new MLContext(0);
        var train = TextDataset.Load(ml, SharedData.RequireFile("stsb", "train.tsv"), "score", ["sentence1", "sentence2"], SweepTask.Regression, maxRows: 150);
        var dev = TextDataset.Load(ml, SharedData.RequireFile("stsb", "dev.tsv"), "score", ["sentence1", "sentence2"], SweepTask.Regression, maxRows: 100);
        SweepableEstimator encoder = EncoderFeaturizer.Create(["sentence1", "sentence2"]);
        var pipeline = new SweepablePipeline([encoder], [StockTrainers.SdcaRegression()]);
        var runner = new TextPipelineRunner(pipeline, train.Data, dev.Data, "score", SweepTask.Regression, "spearman");

        // Library defaults of the encoder (all-MiniLM-L6-v2, mean pooling) with a cheap SDCA: the cosine feature carries it.
        TrialResult result = runner.RunConfiguration(new TrialSettings(), encoder, null, pipeline.Trainers[0],
            pipeline.Trainers[0].SearchSpace.DefaultParameter(), CancellationToken.None);
        Assert.IsGreaterThan(0.6, result.Metric, $"spearman on 100 STS-B dev pairs: {result.Metric}");
        Assert.IsTrue(SweepModelFile.HoldsEncoder(result.Model!));

        string file = Path.Combine(Path.GetTempPath(), "mlnetext-encoder-sweep-" + Guid.NewGuid().ToString("N") + ".zip");
        try
        {
            runner.SaveModel(result.Model!, file);
            ITransformer loaded = runner.LoadModel(file);
            IDataView few = ml.Data.TakeRows(dev.Data, 8);
            float[] before = result.Model!.Transform(few).GetColumn<float>("Score").ToArray();
            float[] after = loaded.Transform(few).GetColumn<float>("Score").ToArray();
            CollectionAssert.AreEqual(before, after);
            Assert.AreEqual(result.Metric, runner.Score(loaded, dev.Data)["spearman"], 1e-9);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    public void PairSimilarityComputesCosineAndDistances()
    {
        var output = new PairSimilarityFactory.Output();
        PairSimilarityFactory.Map(new PairSimilarityFactory.Input { PairLeft = [1, 0, 0], PairRight = [1, 1, 0] }, output);
        Assert.AreEqual(1 / Math.Sqrt(2), output.PairSimilarity[0], 1e-6);
        Assert.AreEqual(1, output.PairSimilarity[1], 1e-6);
        Assert.AreEqual(1, output.PairSimilarity[2], 1e-6);
        Assert.ThrowsExactly<InvalidOperationException>(() =>
            PairSimilarityFactory.Map(new PairSimilarityFactory.Input { PairLeft = [1, 0], PairRight = [1, 1, 0] }, output));
    }
}
