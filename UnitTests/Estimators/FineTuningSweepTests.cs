using MLNetExt.Transforms;
using System.Text.Json;
using Microsoft.ML;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Estimators.SearchSpaces;
using MLNetExt.Estimators.Tuners;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Trainers;


namespace MLNetExt.UnitTests.Estimators;

/// <summary>
/// The fine-tuning trainer as a sweep candidate. A tiny random encoder (the trainer tests' configuration) written in a
/// Hugging Face-layout folder keeps each fine-tuning trial to about a second on real SST-2 rows.
/// </summary>
[TestClass]
public sealed class FineTuningSweepTests
{
    private static string _encoderFolder = "";

    private sealed class Review
    {
        public string sentence { get; set; } = "";
    }

    private sealed class Prediction
    {
        public string PredictedLabel { get; set; } = "";
    }

    // Passes every result on to the tuner and keeps a copy, so a test can see what the tuner was told.
    private sealed class RecordingTuner(ITuner inner) : ITuner
    {
        public readonly List<TrialResult> Updates = new();

        public Parameter Propose(TrialSettings settings) => inner.Propose(settings);

        public void Update(TrialResult result)
        {
            Updates.Add(result);
            inner.Update(result);
        }
    }

    [ClassInitialize]
    public static void WriteTinyEncoder(TestContext context)
    {
        _encoderFolder = TinyFineTuning.WriteEncoderFolder("mlnetext-sweep-tiny-encoder", seed: 5);
    }

    [ClassCleanup]
    public static void DeleteTinyEncoder()
    {
        if (Directory.Exists(_encoderFolder))
            Directory.Delete(_encoderFolder, recursive: true);
    }

    private static SweepableEstimator FineTune(IProgress<TrainingProgress>? progress = null) =>
        FineTuningTrainers.Create(SweepTask.Classification, ["sentence"], new EncoderFineTuningOptions { Encoder = EncoderModel.Load(_encoderFolder), Progress = progress });

    private static (TextDataset Train, TextDataset Dev) Sst2(int trainRows, int devRows)
    {
        var ml = new MLContext(0);
        return (TextDataset.Load(ml, SharedData.RequireFile("sst2", "train.tsv"), "label", ["sentence"], SweepTask.Classification, trainRows),
            TextDataset.Load(ml, SharedData.RequireFile("sst2", "dev.tsv"), "label", ["sentence"], SweepTask.Classification, devRows));
    }

    private static string TempFolder() => Path.Combine(Path.GetTempPath(), "mlnetext-fine-tuning-sweep-" + Guid.NewGuid().ToString("N"));

    [TestMethod]
    public void TheSearchSpaceMapsToAndFromTheUnitCubeAndGivesValidTrainers()
    {
        var space = new SearchSpace<FineTuningSearchOptions>();
        Assert.AreEqual(8, space.FeatureSpaceDim);

        // The default is the low-cost start: one epoch at 64 tokens, encoder trained, MiniLM's mean pooling.
        FineTuningSearchOptions start = space.DefaultParameter().AsType<FineTuningSearchOptions>();
        Assert.AreEqual(1, start.Epochs);
        Assert.AreEqual(64, start.MaxTokens);
        Assert.IsFalse(start.FreezeEncoder);
        Assert.AreEqual(EncoderPooling.Mean, start.Pooling);
        Assert.AreEqual(5e-5, start.LearningRate, 1e-12);
        Assert.AreEqual(space.DefaultParameter(), space.SampleFromFeatureSpace(space.MappingToFeatureSpace(space.DefaultParameter())));

        // Log-uniform learning rate: the middle of its axis is the geometric mean of the bounds.
        double[] middle = space.Default;
        int lrAxis = space.Options.Keys.ToList().IndexOf(nameof(FineTuningSearchOptions.LearningRate));
        middle[lrAxis] = 0.5;
        Assert.AreEqual(Math.Sqrt(1e-5 * 2e-4), space.SampleOptions(middle).LearningRate, 1e-9);

        var ml = new MLContext(0);
        SweepableEstimator candidate = FineTune();
        var random = new Random(11);
        var seen = new HashSet<(bool, EncoderPooling, int, int)>();
        for (int i = 0; i < 200; i++)
        {
            double[] point = Enumerable.Range(0, space.FeatureSpaceDim).Select(_ => random.NextDouble()).ToArray();
            Parameter p = space.SampleFromFeatureSpace(point);
            Assert.AreEqual(p, space.SampleFromFeatureSpace(space.MappingToFeatureSpace(p)), $"round trip of {p}");
            FineTuningSearchOptions o = p.AsType<FineTuningSearchOptions>();
            Assert.IsTrue(o.LearningRate is >= 1e-5 and <= 2e-4, $"learning rate {o.LearningRate}");
            Assert.IsTrue(o.Epochs is >= 1 and <= 4, $"epochs {o.Epochs}");
            CollectionAssert.Contains(new[] { 8, 16, 32 }, o.BatchSize);
            CollectionAssert.Contains(new[] { 32, 64, 128 }, o.MaxTokens);
            Assert.IsTrue(o.WarmupFraction is >= 0 and <= 0.2 && o.WeightDecay is >= 0 and <= 0.1, p.ToString());
            seen.Add((o.FreezeEncoder, o.Pooling, o.BatchSize, o.MaxTokens));
            // The trainer validates its options when it is built (learning rate, warmup, batch, tokens).
            Assert.IsInstanceOfType<EncoderFineTuningTrainer>(candidate.Build(ml, p));
        }
        Assert.IsGreaterThan(30, seen.Count, "the choices are all reachable");

        // In a pipeline the fine-tuner ignores the featurizer: described alone, one cost-frugal arm instead of one per featurizer.
        var pipeline = new SweepablePipeline(
            [TextFeaturizers.FeaturizeText(["sentence"]), EncoderFeaturizer.Create(["sentence"])],
            [StockTrainers.SdcaMaximumEntropy(), candidate]);
        CollectionAssert.AreEqual(new[] { SweepablePipeline.FeaturizerKey }, pipeline.IgnoredChoices[FineTuningTrainers.Name].ToArray());
        var tuner = (EciCostFrugalTuner)TunerFactory.Create("eci", pipeline.SearchSpace, 0, ignoredChoices: pipeline.IgnoredChoices);
        Assert.AreEqual(3, tuner.ArmCount);
        // Every arm runs once first, in order; the collapsed fine-tuning arm comes after both sdca arms.
        string[] firstRound = Enumerable.Range(0, 3).Select(i => pipeline.Describe(tuner.Propose(new TrialSettings { TrialId = i }))).ToArray();
        StringAssert.StartsWith(firstRound[2], "finetune(", string.Join("; ", firstRound));
        Assert.AreEqual(4, new EciCostFrugalTuner(pipeline.SearchSpace, TunerFactory.ComponentChoiceKeys).ArmCount);
        StringAssert.StartsWith(pipeline.Describe(pipeline.DefaultParameter(trainer: FineTuningTrainers.Name)), "finetune(");
        Assert.ThrowsExactly<ArgumentException>(() => FineTuningTrainers.Create(SweepTask.Regression, ["a", "b", "c"]));
    }

    [TestMethod]
    public void ASweepWithTheFineTuningCandidateRunsAFineTuningTrialAndItsModelSavesLoadsAndPredicts()
    {
        var (train, dev) = Sst2(160, 80);
        var pipeline = new SweepablePipeline([TextFeaturizers.FeaturizeText(["sentence"])], [StockTrainers.SdcaMaximumEntropy(), FineTune()]);
        var runner = new TextPipelineRunner(pipeline, train.Data, dev.Data, "label", SweepTask.Classification, "accuracy");
        var writer = new StringWriter();
        // The cost-frugal tuner runs each arm once at its low-cost point first: sdca, then the fine-tuner.
        var experiment = new SweepExperiment()
            .SetSearchSpace(pipeline.SearchSpace)
            .SetTrialRunner(runner)
            .SetTuner(space => TunerFactory.Create("eci", space, 0, ignoredChoices: pipeline.IgnoredChoices))
            .SetMonitor(new TextWriterMonitor(writer, "accuracy", pipeline.Describe))
            .SetMaxTrials(2);
        experiment.Run();

        TrialResult fineTuned = experiment.Trials.Single(t => pipeline.SelectTrainer(t.TrialSettings.Parameter).Trainer.Name == FineTuningTrainers.Name);
        Assert.IsFalse(fineTuned.IsFailed, writer.ToString());
        Assert.IsTrue(fineTuned.Metric is >= 0 and <= 1, writer.ToString());
        Assert.IsTrue(fineTuned.Metrics.ContainsKey("f1") && fineTuned.Metrics.ContainsKey("mcc") && fineTuned.Metrics.ContainsKey("log-loss"));
        Assert.IsGreaterThan(0, fineTuned.DurationInMilliseconds);
        StringAssert.Contains(writer.ToString(), "finetune(");

        // The same configuration run directly keeps its model: it saves, loads back, predicts and scores the same.
        TrialResult direct = runner.RunConfiguration(new TrialSettings(), null, null, pipeline.Trainers[1],
            pipeline.Trainers[1].SearchSpace.DefaultParameter(), CancellationToken.None);
        Assert.AreEqual(fineTuned.Metric, direct.Metric, 1e-9, "a fine-tuning trial repeats with the same seed");
        Assert.IsTrue(SweepModelFile.HoldsFineTunedEncoder(direct.Model!));
        string folder = TempFolder();
        Directory.CreateDirectory(folder);
        try
        {
            string file = Path.Combine(folder, "model.zip");
            runner.SaveModel(direct.Model!, file);
            ITransformer loaded = runner.LoadModel(file);
            Assert.AreEqual(direct.Metric, runner.Score(loaded, dev.Data)["accuracy"], 1e-9);
            var ml = new MLContext(0);
            var engine = ml.Model.CreatePredictionEngine<Review, Prediction>(loaded);
            CollectionAssert.Contains(new[] { "0", "1" }, engine.Predict(new Review { sentence = "a wonderful , moving film" }).PredictedLabel);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void AFineTuningRegressionTrialOnSentencePairsScoresSavesAndLoads()
    {
        var ml = new MLContext(0);
        string[] pair = ["sentence1", "sentence2"];
        var train = TextDataset.Load(ml, SharedData.RequireFile("stsb", "train.tsv"), "score", pair, SweepTask.Regression, 96);
        var dev = TextDataset.Load(ml, SharedData.RequireFile("stsb", "dev.tsv"), "score", pair, SweepTask.Regression, 48);
        SweepableEstimator candidate = FineTuningTrainers.Create(SweepTask.Regression, pair, new EncoderFineTuningOptions { Encoder = EncoderModel.Load(_encoderFolder) });
        var pipeline = new SweepablePipeline([], [candidate]);
        Assert.AreEqual(8, pipeline.SearchSpace.FeatureSpaceDim, "only the fine-tuner's options are searched");
        var runner = new TextPipelineRunner(pipeline, train.Data, dev.Data, "score", SweepTask.Regression, "spearman");
        TrialResult trial = runner.Run(new TrialSettings { Parameter = pipeline.DefaultParameter() }, CancellationToken.None);
        CollectionAssert.IsSubsetOf(new[] { "r-squared", "rmse", "pearson", "spearman" }, trial.Metrics.Keys.ToArray());
        Assert.IsTrue(double.IsFinite(trial.Metrics["rmse"]) && trial.Metric is >= -1 and <= 1, string.Join(", ", trial.Metrics));

        string folder = TempFolder();
        Directory.CreateDirectory(folder);
        try
        {
            string file = Path.Combine(folder, "model.zip");
            runner.SaveModel(trial.Model!, file);
            Assert.AreEqual(trial.Metrics["rmse"], runner.Score(runner.LoadModel(file), dev.Data)["rmse"], 1e-6);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void AFineTuningTrialCutByTheTimeBudgetIsRecordedAsCancelledAndTheSweepEnds()
    {
        // 320 rows in batches of 16 are 20 steps; an observer that takes a second per step stands in for a fine-tune
        // on a real encoder, so the trial outlives the 10 s budget whatever the machine's speed.
        var (train, dev) = Sst2(320, 40);
        int steps = 0;
        var pipeline = new SweepablePipeline([TextFeaturizers.FeaturizeText(["sentence"])],
            [StockTrainers.SdcaMaximumEntropy(), FineTune(new SynchronousProgress<TrainingProgress>(_ =>
            {
                steps++;
                Thread.Sleep(1000); // a second over each report (the training loop reports after every step)
            }))]);
        var runner = new TextPipelineRunner(pipeline, train.Data, dev.Data, "label", SweepTask.Classification, "accuracy");
        RecordingTuner? tuner = null;
        var writer = new StringWriter();
        string folder = TempFolder();
        try
        {
            var experiment = new SweepExperiment()
                .SetSearchSpace(pipeline.SearchSpace)
                .SetTrialRunner(runner)
                .SetTuner(space => tuner = new RecordingTuner(TunerFactory.Create("eci", space, 0, ignoredChoices: pipeline.IgnoredChoices)))
                .SetMonitor(new TextWriterMonitor(writer, "accuracy", pipeline.Describe))
                .SetTrainingTimeInSeconds(10)
                .SetCheckpoint(folder);
            TrialResult best = experiment.Run();

            Assert.HasCount(2, experiment.Trials, writer.ToString());
            Assert.AreEqual("sdca", pipeline.SelectTrainer(best.TrialSettings.Parameter).Trainer.Name);
            TrialResult cut = experiment.Trials[1];
            Assert.AreEqual(FineTuningTrainers.Name, pipeline.SelectTrainer(cut.TrialSettings.Parameter).Trainer.Name);
            Assert.IsTrue(cut.IsCancelled && cut.IsFailed, writer.ToString());
            Assert.IsTrue(steps is > 0 and < 20, $"{steps} of 20 steps ran before the cut");
            StringAssert.Contains(writer.ToString(), "FAILED: Cancelled: the time budget ran out");

            // The tuner was told what the cut trial cost, and the checkpoint keeps it.
            TrialResult told = tuner!.Updates.Single(u => u.TrialSettings.TrialId == cut.TrialSettings.TrialId);
            Assert.IsTrue(told.IsFailed);
            Assert.AreEqual(cut.DurationInMilliseconds, told.DurationInMilliseconds);
            SweepCheckpoint checkpoint = SweepCheckpoint.Load(Path.Combine(folder, "checkpoint.json"));
            Assert.IsTrue(checkpoint.Trials[1].IsCancelled);
            Assert.AreEqual(best.TrialSettings.TrialId, checkpoint.BestTrialId);
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }
}
