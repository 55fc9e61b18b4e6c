using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Estimators.Baselines;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Estimators.SearchSpaces;
using MLNetExt.Estimators.Tuners;
using MLNetExt.Transforms;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Trainers;

namespace MLNetExt.UnitTests.Estimators;

/// <summary>
/// The <c>cosent</c> sweep arm: contrastive training of the encoder on scored pairs, scored by the trained encoder's
/// cosine. A tiny random encoder keeps a trial to about a second on real STS-B pairs.
/// </summary>
[TestClass]
public sealed class CoSentSweepTests
{
    private static string _encoderFolder = "";

    [ClassInitialize]
    public static void WriteTinyEncoder(TestContext context) =>
        _encoderFolder = TinyFineTuning.WriteEncoderFolder("mlnetext-cosent-sweep-encoder", seed: 6);

    [ClassCleanup]
    public static void DeleteTinyEncoder()
    {
        if (Directory.Exists(_encoderFolder))
            Directory.Delete(_encoderFolder, recursive: true);
    }

    private static readonly string[] Pair = ["sentence1", "sentence2"];

    [TestMethod]
    public void TheArmIsOneCostFrugalArmOfAPairRegressionSweepAndOnlyThere()
    {
        var space = new SearchSpace<CoSentSearchOptions>();
        Assert.AreEqual(5, space.FeatureSpaceDim);
        CoSentSearchOptions start = space.DefaultParameter().AsType<CoSentSearchOptions>();
        Assert.AreEqual(1, start.Epochs);
        Assert.AreEqual(64, start.MaxTokens);
        Assert.AreEqual(2e-5, start.LearningRate, 1e-12);

        SweepablePipeline pipeline = TextSweepPipelines.Create(SweepTask.Regression, Pair, ["sdca", ContrastiveTrainers.CoSentName]);
        CollectionAssert.AreEqual(new[] { SweepablePipeline.FeaturizerKey }, pipeline.IgnoredChoices[ContrastiveTrainers.CoSentName].ToArray());
        var tuner = (EciCostFrugalTuner)TunerFactory.Create("eci", pipeline.SearchSpace, 0, ignoredChoices: pipeline.IgnoredChoices);
        Assert.AreEqual(3, tuner.ArmCount, "sdca on each featurizer, and one cosent arm");
        string[] firstRound = Enumerable.Range(0, 3).Select(i => pipeline.Describe(tuner.Propose(new TrialSettings { TrialId = i }))).ToArray();
        StringAssert.StartsWith(firstRound[2], "cosent(", "the expensive arm runs last: " + string.Join("; ", firstRound));

        Assert.ThrowsExactly<ArgumentException>(() => TextSweepPipelines.Create(SweepTask.Classification, Pair, [ContrastiveTrainers.CoSentName]));
        Assert.ThrowsExactly<ArgumentException>(() => TextSweepPipelines.Create(SweepTask.Regression, ["sentence1"], [ContrastiveTrainers.CoSentName]));
        CollectionAssert.DoesNotContain(TextSweepPipelines.Create(SweepTask.Regression, Pair).Trainers.Select(t => t.Name).ToArray(), ContrastiveTrainers.CoSentName,
            "minutes per trial: only when named");
    }

    // A trial trains the tiny encoder on 48 STS-B pairs: its model scores pairs by the cosine of the trained encoder (not
    // the untrained one), saves and loads with identical scores, and its Spearman is what the runner reports.
    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public void ACoSentTrialTrainsTheEncoderAndItsCosineModelSavesAndLoads()
    {
        var ml = new MLContext(0);
        var train = TextDataset.Load(ml, SharedData.RequireFile("stsb", "train.tsv"), "score", Pair, SweepTask.Regression, maxRows: 48);
        var valid = TextDataset.Load(ml, SharedData.RequireFile("stsb", "dev.tsv"), "score", Pair, SweepTask.Regression, maxRows: 24);
        EncoderModel encoder = EncoderModel.Load(_encoderFolder);
        var pipeline = new SweepablePipeline([], [ContrastiveTrainers.CoSent(Pair, encoder)]);
        var runner = new TextPipelineRunner(pipeline, train.Data, valid.Data, "score", SweepTask.Regression, "spearman");

        Parameter start = pipeline.SearchSpace.DefaultParameter();
        start[ContrastiveTrainers.CoSentName][nameof(CoSentSearchOptions.LearningRate)] = Parameter.FromDouble(1e-3);   // moves the tiny encoder visibly
        StringAssert.StartsWith(pipeline.Describe(start), "cosent(");
        TrialResult trial = runner.Run(new TrialSettings { TrialId = 0, Parameter = start }, CancellationToken.None);
        Assert.IsFalse(double.IsNaN(trial.Metric));

        float[] trained = trial.Model!.Transform(valid.Data).GetColumn<float>("Score").ToArray();
        Assert.IsTrue(trained.All(s => s is >= -1.0001f and <= 1.0001f), "cosines");
        float[] untrained = SweepBaselines.PairCosineScorer(ml, Pair[0], Pair[1], encoder, null).Fit(valid.Data).Transform(valid.Data).GetColumn<float>("Score").ToArray();
        Assert.IsTrue(trained.Zip(untrained).Any(p => Math.Abs(p.First - p.Second) > 1e-4), "the served encoder is the trained one");
        double[] gold = valid.Data.GetColumn<float>("score").Select(v => (double)v).ToArray();
        Assert.AreEqual(trial.Metric, MLNetExt.Evaluation.Metrics.Correlation.Spearman(gold, trained.Select(v => (double)v).ToArray()), 1e-6);

        string file = Path.Combine(Path.GetTempPath(), "mlnetext-cosent-model-" + Guid.NewGuid().ToString("N") + ".zip");
        try
        {
            Assert.IsTrue(SweepModelFile.NeedsPipelineFile(trial.Model!));
            runner.SaveModel(trial.Model!, file);
            float[] reloaded = runner.LoadModel(file).Transform(valid.Data).GetColumn<float>("Score").ToArray();
            CollectionAssert.AreEqual(trained, reloaded);
        }
        finally
        {
            File.Delete(file);
        }

        // The training loop takes the trial's token: a cancelled trial stops.
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => runner.Run(new TrialSettings { TrialId = 1, Parameter = start }, cancelled.Token));
    }
}
