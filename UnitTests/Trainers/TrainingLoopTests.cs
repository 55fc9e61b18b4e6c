using MLNetExt.Transforms;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;
using TorchSharp;

namespace MLNetExt.UnitTests.Trainers;

[TestClass]
public sealed class TrainingLoopTests
{
    private static TrainingOptions Options(string? checkpoints) => new()
    {
        BatchSize = 8, Epochs = 3, LearningRate = 1e-3, Seed = 11, EvaluateEverySteps = 3,
        CheckpointDirectory = checkpoints, CheckpointEverySteps = 4,
        // One libtorch thread: with two or more, identical runs now and then differ in the last bit, and these tests
        // compare weights bit for bit.
        Threads = 1,
    };

    [TestCleanup]
    public void RestoreThreads() => torch.set_num_threads(Environment.ProcessorCount);

    [TestMethod]
    public void RunKilledMidwayResumesAndEndsWithTheSameMetricsAndWeights()
    {
        string root = Path.Combine(Path.GetTempPath(), "mlnetext-train-" + Guid.NewGuid().ToString("N"));
        try
        {
            FineTuningTask reference = TinyFineTuning.Create(modelSeed: 1);
            TrainingResult uninterrupted = new TrainingLoop(Options(Path.Combine(root, "a"))).Run(reference);
            Assert.AreEqual(18, uninterrupted.Steps);

            string resumeDir = Path.Combine(root, "b");
            Assert.ThrowsExactly<IOException>(() => new TrainingLoop(Options(resumeDir)).Run(new CrashingTask(TinyFineTuning.Create(modelSeed: 1), crashAtCall: 11)));
            // A checkpoint that was being written when the process died must never be read.
            string partial = Path.Combine(resumeDir, "step-00000010.partial");
            Directory.CreateDirectory(partial);
            File.WriteAllText(Path.Combine(partial, "state.json"), "{ truncated");

            // Other starting weights (another encoder or saved model of the same shape) make another run: refused, not continued.
            var otherStart = Assert.ThrowsExactly<InvalidOperationException>(() => new TrainingLoop(Options(resumeDir)).Run(TinyFineTuning.Create(modelSeed: 2)));
            StringAssert.Contains(otherStart.Message, "weights=");

            // The resumed weights come from the checkpoint: ending on the uninterrupted run's weights needs steps 1-8 from it.
            FineTuningTask resumedTask = TinyFineTuning.Create(modelSeed: 1);
            TrainingResult resumed = new TrainingLoop(Options(resumeDir)).Run(resumedTask);

            Assert.AreEqual(8, resumed.ResumedFromStep, "crash at step 11 with checkpoints every 4 steps resumes from step 8");
            Assert.AreEqual(18, resumed.Steps);
            Assert.AreEqual(uninterrupted.Evaluations.Count, resumed.Evaluations.Count);
            for (int i = 0; i < resumed.Evaluations.Count; i++)
            {
                Assert.AreEqual(uninterrupted.Evaluations[i].Step, resumed.Evaluations[i].Step);
                CollectionAssert.AreEqual(uninterrupted.Evaluations[i].Metrics.OrderBy(m => m.Key).ToArray(), resumed.Evaluations[i].Metrics.OrderBy(m => m.Key).ToArray(),
                    $"metrics of evaluation {i}");
            }
            CollectionAssert.AreEqual(TinyFineTuning.Parameters(reference.Module), TinyFineTuning.Parameters(resumedTask.Module), "final weights");
        }
        finally
        {
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
    }

    // libtorch's results depend on its thread count, and a resumed process may be given another core count (CPU
    // affinity, a container quota): the resumed run must keep the count its checkpoint was written with.
    [TestMethod]
    public void AResumedRunKeepsTheThreadCountOfItsCheckpoint()
    {
        string root = Path.Combine(Path.GetTempPath(), "mlnetext-train-threads-" + Guid.NewGuid().ToString("N"));
        int original = Environment.ProcessorCount == 1 ? 2 : 1; // not what Threads = 0 picks here
        TrainingOptions WithThreads(string folder, int threads)
        {
            TrainingOptions options = Options(Path.Combine(root, folder));
            options.Threads = threads;
            return options;
        }
        try
        {
            FineTuningTask reference = TinyFineTuning.Create(modelSeed: 1);
            Assert.AreEqual(original, new TrainingLoop(WithThreads("a", original)).Run(reference).Threads);
            Assert.ThrowsExactly<IOException>(() => new TrainingLoop(WithThreads("b", original)).Run(new CrashingTask(TinyFineTuning.Create(modelSeed: 1), crashAtCall: 11)));

            var conflict = Assert.ThrowsExactly<InvalidOperationException>(() => new TrainingLoop(WithThreads("b", original + 1)).Run(TinyFineTuning.Create(modelSeed: 1)));
            StringAssert.Contains(conflict.Message, $"written by a run with {original} libtorch threads; this run asks for {original + 1}");

            FineTuningTask resumedTask = TinyFineTuning.Create(modelSeed: 1);
            TrainingResult resumed = new TrainingLoop(WithThreads("b", 0)).Run(resumedTask);

            Assert.AreEqual(8, resumed.ResumedFromStep);
            Assert.AreEqual(original, resumed.Threads, "the checkpoint's thread count, not one per core");
            CollectionAssert.AreEqual(TinyFineTuning.Parameters(reference.Module), TinyFineTuning.Parameters(resumedTask.Module), "final weights");
        }
        finally
        {
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
            torch.set_num_threads(Environment.ProcessorCount);
        }
    }

    [TestMethod]
    public void TrainingFixesGlibcsMmapThresholdSoVaryingBatchShapesDoNotGrowTheHeap()
    {
        new TrainingLoop(new TrainingOptions { BatchSize = 8, Epochs = 1, MaxSteps = 1, Seed = 5 }).Run(TinyFineTuning.Create(modelSeed: 3));
        bool glibc = OperatingSystem.IsLinux() && !System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal);
        if (glibc && Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is null)
            Assert.IsTrue(MLNetExt.Trainers.Training.NativeHeapPolicy.Apply(), "mallopt(M_MMAP_THRESHOLD) was accepted");
    }

    [TestMethod]
    public void TrainingStepsLeakNoTensors()
    {
        FineTuningTask task = TinyFineTuning.Create(modelSeed: 3);
        var live = new List<long>();
        var options = new TrainingOptions { BatchSize = 8, Epochs = 2, LearningRate = 1e-3, Seed = 5, KeepBestModel = false };
        new TrainingLoop(options).Run(task, new SynchronousProgress<TrainingProgress>(_ => live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount)));
        Assert.HasCount(12, live);
        // The first steps create AdamW's moment buffers; after that the count of live tensors must stay flat.
        Assert.AreEqual(live[2], live[^1], $"live tensors per step: {string.Join(", ", live)}");

        // Keeping the best weights copies the module once, at the first evaluation (step 6), and then updates the copy in place.
        live.Clear();
        options.KeepBestModel = true;
        new TrainingLoop(options).Run(TinyFineTuning.Create(modelSeed: 3), new SynchronousProgress<TrainingProgress>(_ => live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount)));
        Assert.AreEqual(live[5], live[^1], $"live tensors per step with the best weights kept: {string.Join(", ", live)}");
    }

    [TestMethod]
    public void CancellationStopsTheRunAfterWritingACheckpoint()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnetext-cancel-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var cancel = new CancellationTokenSource();
            var options = new TrainingOptions { BatchSize = 8, Epochs = 1, LearningRate = 1e-3, CheckpointDirectory = dir, CheckpointEverySteps = 100 };
            Assert.ThrowsExactly<OperationCanceledException>(() => new TrainingLoop(options).Run(TinyFineTuning.Create(4),
                new SynchronousProgress<TrainingProgress>(p => { if (p.Step == 2) cancel.Cancel(); }), cancel.Token));
            Assert.AreEqual("step-00000002", File.ReadAllText(Path.Combine(dir, "latest")));
            TrainingResult resumed = new TrainingLoop(options).Run(TinyFineTuning.Create(4));
            Assert.AreEqual(2, resumed.ResumedFromStep);
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void ScheduleWarmsUpThenDecaysToZero()
    {
        var schedule = new LinearWarmupSchedule(1.0, totalSteps: 10, warmupSteps: 2);
        Assert.AreEqual(0.5, schedule.At(0), 1e-12);
        Assert.AreEqual(1.0, schedule.At(1), 1e-12);
        Assert.AreEqual(1.0, schedule.At(2), 1e-12);
        Assert.AreEqual(0.125, schedule.At(9), 1e-12);
    }
}
