using MLNetExt.Transforms;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Trainers;

[TestClass]
public sealed class BestModelTests
{
    /// <summary>Delegates training to a tiny classifier; its "metric" peaks at a chosen step, so the best step is known.</summary>
    private sealed class PeakingTask(FineTuningTask inner, int peakStep, Func<int> step, int crashAtCall = 0) : ITrainingTask<FineTuningBatch>
    {
        private int _calls;

        public nn.Module Module => inner.Module;
        public int TrainingRowCount => inner.TrainingRowCount;
        public string? PrimaryMetric => "peak";
        public bool HigherIsBetter => true;

        public FineTuningBatch PrepareBatch(IReadOnlyList<int> rows) =>
            ++_calls == crashAtCall ? throw new IOException("simulated crash") : inner.PrepareBatch(rows);

        public Tensor Loss(FineTuningBatch batch) => inner.Loss(batch);

        public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken) =>
            new Dictionary<string, double> { ["peak"] = -Math.Abs(step() - peakStep) };
    }

    private static TrainingOptions Options(string? checkpoints = null, bool keepBest = true) => new()
    {
        BatchSize = 8, Epochs = 3, LearningRate = 1e-3, Seed = 11, EvaluateEverySteps = 3, KeepBestModel = keepBest,
        CheckpointDirectory = checkpoints, CheckpointEverySteps = checkpoints is null ? 0 : 4,
        // One libtorch thread: with two or more, identical runs now and then differ in the last bit, and these tests
        // compare weights bit for bit.
        Threads = 1,
    };

    [TestCleanup]
    public void RestoreThreads() => torch.set_num_threads(Environment.ProcessorCount);

    [TestMethod]
    public void TheRunEndsWithTheWeightsOfItsBestEvaluation()
    {
        float[]? atPeak = null;
        FineTuningTask inner = TinyFineTuning.Create(modelSeed: 1);
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Step == 6)
                atPeak = TinyFineTuning.Parameters(inner.Module);
        });
        // Evaluations at steps 3, 6, ..., 18; the metric -|step - 6| peaks at step 6.
        int evaluated = 0;
        var task = new PeakingTask(inner, 6, () => evaluated += 3);
        TrainingResult result = new TrainingLoop(Options()).Run(task, progress);

        Assert.AreEqual(18, result.Steps);
        Assert.AreEqual(6, result.BestStep);
        Assert.AreEqual(0, result.BestMetric);
        Assert.IsTrue(result.RestoredBestModel);
        CollectionAssert.AreEqual(atPeak, TinyFineTuning.Parameters(inner.Module), "the module holds step 6's weights");

        // Without KeepBestModel the last step's weights stay.
        evaluated = 0;
        FineTuningTask last = TinyFineTuning.Create(modelSeed: 1);
        TrainingResult lastResult = new TrainingLoop(Options(keepBest: false)).Run(new PeakingTask(last, 6, () => evaluated += 3));
        Assert.IsFalse(lastResult.RestoredBestModel);
        Assert.AreEqual(6, lastResult.BestStep);
        CollectionAssert.AreNotEqual(atPeak, TinyFineTuning.Parameters(last.Module));
    }

    [TestMethod]
    public void AResumedRunKeepsTheBestWeightsItsCheckpointHeld()
    {
        string root = Path.Combine(Path.GetTempPath(), "mlnetext-best-" + Guid.NewGuid().ToString("N"));
        try
        {
            int a = 0;
            FineTuningTask reference = TinyFineTuning.Create(modelSeed: 1);
            TrainingResult uninterrupted = new TrainingLoop(Options(Path.Combine(root, "a"))).Run(new PeakingTask(reference, 6, () => a += 3));

            // Crash at step 11: the checkpoint of step 8 holds step 6's weights as the best; the resumed run starts at 8.
            string resumeDir = Path.Combine(root, "b");
            int b = 0;
            Assert.ThrowsExactly<IOException>(() => new TrainingLoop(Options(resumeDir)).Run(new PeakingTask(TinyFineTuning.Create(modelSeed: 1), 6, () => b += 3, crashAtCall: 11)));
            Assert.IsTrue(File.Exists(Path.Combine(resumeDir, "step-00000008", "best.bin")));
            int c = 6; // evaluations at steps 3 and 6 happened before the checkpoint
            FineTuningTask resumedTask = TinyFineTuning.Create(modelSeed: 1);
            TrainingResult resumed = new TrainingLoop(Options(resumeDir)).Run(new PeakingTask(resumedTask, 6, () => c += 3));

            Assert.AreEqual(8, resumed.ResumedFromStep);
            Assert.AreEqual(6, resumed.BestStep);
            Assert.IsTrue(resumed.RestoredBestModel);
            CollectionAssert.AreEqual(TinyFineTuning.Parameters(reference.Module), TinyFineTuning.Parameters(resumedTask.Module), "best weights after resume");
            Assert.AreEqual(6, uninterrupted.BestStep);
        }
        finally
        {
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
    }
}
