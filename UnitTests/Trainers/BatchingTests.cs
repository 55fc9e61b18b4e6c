using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>Length-bucketed batch order (<see cref="EpochOrder"/>) and gradient accumulation in the <see cref="TrainingLoop"/>.</summary>
[TestClass]
public sealed class BatchingTests
{
    [TestCleanup]
    public void RestoreThreads() => TorchSharp.torch.set_num_threads(Environment.ProcessorCount);

    // Lengths from 3 to 60 in a seeded random pattern, like short phrases mixed with long sentences.
    private static int[] Lengths(int rows) => Enumerable.Range(0, rows).Select(i => 3 + (int)((uint)(i * 2654435761u) % 58)).ToArray();

    [TestMethod]
    public void EveryRowComesOncePerEpochWithAndWithoutBucketing()
    {
        int[] lengths = Lengths(1003);
        foreach (int buckets in new[] { 0, 1, 4, 1000 })
            for (int epoch = 0; epoch < 3; epoch++)
            {
                int[] order = EpochOrder.Create(lengths.Length, 16, seed: 5, epoch, lengths, buckets);
                CollectionAssert.AreEquivalent(Enumerable.Range(0, lengths.Length).ToArray(), order, $"buckets {buckets}, epoch {epoch}");
            }
    }

    [TestMethod]
    public void TheOrderIsAPureFunctionOfSeedAndEpoch()
    {
        int[] lengths = Lengths(500);
        CollectionAssert.AreEqual(EpochOrder.Create(500, 8, 3, 1, lengths, 4), EpochOrder.Create(500, 8, 3, 1, lengths, 4));
        CollectionAssert.AreNotEqual(EpochOrder.Create(500, 8, 3, 1, lengths, 4), EpochOrder.Create(500, 8, 3, 2, lengths, 4), "another epoch");
        CollectionAssert.AreNotEqual(EpochOrder.Create(500, 8, 3, 1, lengths, 4), EpochOrder.Create(500, 8, 4, 1, lengths, 4), "another seed");

        // Without bucketing the order is the seeded shuffle the loop has always used (existing checkpoints stay valid).
        int[] shuffled = Enumerable.Range(0, 500).ToArray();
        new Random(3 + 1).Shuffle(shuffled);
        CollectionAssert.AreEqual(shuffled, EpochOrder.Create(500, 8, 3, 1));
    }

    [TestMethod]
    public void BucketedBatchesPadLessAndKeepTheShortBatchLast()
    {
        int[] lengths = Lengths(1003);
        const int batch = 16;
        static long Padded(int[] order, int[] lengths) =>
            order.Chunk(batch).Sum(b => (long)b.Length * b.Max(r => lengths[r]));
        long plain = Padded(EpochOrder.Create(lengths.Length, batch, 5, 0), lengths);
        int[] bucketed = EpochOrder.Create(lengths.Length, batch, 5, 0, lengths, 50);
        long real = lengths.Sum();
        Assert.IsLessThan(real * 1.1, (double)Padded(bucketed, lengths), "bucketed padding");
        Assert.IsGreaterThan(real * 1.5, (double)plain, "random batches pad to their longest row");

        // Batches are sorted within windows but shuffled across them: consecutive batches are not in length order.
        int[] batchMaxima = bucketed.Chunk(batch).Take(lengths.Length / batch).Select(b => b.Max(r => lengths[r])).ToArray();
        Assert.IsTrue(batchMaxima.Zip(batchMaxima.Skip(1)).Any(p => p.First > p.Second), "batches shuffled");
        Assert.AreEqual(lengths.Length % batch, bucketed.Chunk(batch).Last().Length);
    }

    [TestMethod]
    public void BucketingNeedsTheRowLengths()
    {
        var options = new TrainingOptions { BatchSize = 8, Epochs = 1, LengthBucketBatches = 2 };
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => new TrainingLoop(options).Run(new CrashingTaskWithoutLengths(TinyFineTuning.Create(modelSeed: 1))));
        StringAssert.Contains(error.Message, "does not report its row lengths");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TrainingOptions { BatchSize = 4, GradientAccumulationSteps = 5 }.Validate());
    }

    // Without dropout, accumulating three micro-batches of a batch gives the step of the whole batch: same weights
    // after an epoch, up to float rounding.
    [TestMethod]
    public void GradientAccumulationMatchesOneBigBatch()
    {
        TrainingOptions Options(int accumulate) => new()
        {
            BatchSize = 16, Epochs = 2, LearningRate = 1e-3, Seed = 3, KeepBestModel = false, GradientAccumulationSteps = accumulate, LengthBucketBatches = 2,
        };
        FineTuningTask whole = TinyFineTuning.Create(modelSeed: 6, dropout: 0);
        FineTuningTask accumulated = TinyFineTuning.Create(modelSeed: 6, dropout: 0);
        FineTuningTask untrained = TinyFineTuning.Create(modelSeed: 6, dropout: 0);
        TrainingResult a = new TrainingLoop(Options(1)).Run(whole);
        TrainingResult b = new TrainingLoop(Options(3)).Run(accumulated); // micro-batches of 6, 5 and 5 rows: unequal weights
        Assert.AreEqual(a.Steps, b.Steps);
        Assert.AreEqual(a.MeanLoss, b.MeanLoss, 1e-5, "mean loss");

        float[] expected = TinyFineTuning.Parameters(whole.Module), actual = TinyFineTuning.Parameters(accumulated.Module), start = TinyFineTuning.Parameters(untrained.Module);
        double moved = expected.Zip(start).Max(p => Math.Abs(p.First - p.Second));
        double difference = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.IsGreaterThan(1e-3, moved, "training changed the weights");
        Assert.IsLessThan(1e-4, difference, $"largest weight difference (weights moved up to {moved})");
    }

    [TestMethod]
    public void ARunWithBucketingAndAccumulationResumesBitExact()
    {
        string root = Path.Combine(Path.GetTempPath(), "mlnetext-bucket-resume-" + Guid.NewGuid().ToString("N"));
        TrainingOptions Options(string folder) => new()
        {
            BatchSize = 8, Epochs = 3, LearningRate = 1e-3, Seed = 11, EvaluateEverySteps = 3, LengthBucketBatches = 2, GradientAccumulationSteps = 2,
            CheckpointDirectory = Path.Combine(root, folder), CheckpointEverySteps = 4,
            // One libtorch thread: with two or more, identical runs now and then differ in the last bit.
            Threads = 1,
        };
        try
        {
            FineTuningTask reference = TinyFineTuning.Create(modelSeed: 1);
            TrainingResult uninterrupted = new TrainingLoop(Options("a")).Run(reference);
            Assert.ThrowsExactly<IOException>(() => new TrainingLoop(Options("b")).Run(new CrashingTask(TinyFineTuning.Create(modelSeed: 1), crashAtCall: 21)));

            FineTuningTask resumedTask = TinyFineTuning.Create(modelSeed: 1);
            TrainingResult resumed = new TrainingLoop(Options("b")).Run(resumedTask);

            Assert.AreEqual(8, resumed.ResumedFromStep, "two batches per step: call 21 is step 11, after the checkpoint of step 8");
            Assert.AreEqual(uninterrupted.Steps, resumed.Steps);
            CollectionAssert.AreEqual(uninterrupted.Evaluations.Select(e => e.Metrics["accuracy"]).ToArray(), resumed.Evaluations.Select(e => e.Metrics["accuracy"]).ToArray());
            CollectionAssert.AreEqual(TinyFineTuning.Parameters(reference.Module), TinyFineTuning.Parameters(resumedTask.Module), "final weights");

            // The checkpoint records the batching: a run with other bucketing must not resume from it.
            TrainingOptions other = Options("b");
            other.LengthBucketBatches = 3;
            Assert.ThrowsExactly<InvalidOperationException>(() => new TrainingLoop(other).Run(TinyFineTuning.Create(modelSeed: 1)));
        }
        finally
        {
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void ProgressReportsElapsedTimeAndAnEstimateOfTheRest()
    {
        var reports = new List<TrainingProgress>();
        new TrainingLoop(new TrainingOptions { BatchSize = 8, Epochs = 1, LearningRate = 1e-3, KeepBestModel = false })
            .Run(TinyFineTuning.Create(modelSeed: 3), new MLNetExt.Transforms.SynchronousProgress<TrainingProgress>(reports.Add));
        Assert.HasCount(6, reports);
        Assert.IsTrue(reports.Zip(reports.Skip(1)).All(p => p.Second.ElapsedSeconds >= p.First.ElapsedSeconds), "elapsed time grows");
        Assert.IsGreaterThan(0.0, reports[0].SecondsRemaining, "five steps left after the first");
        Assert.AreEqual(0.0, reports[^1].SecondsRemaining);
    }
}

/// <summary>A task that does not report row lengths (the interface's default).</summary>
internal sealed class CrashingTaskWithoutLengths(ITrainingTask<FineTuningBatch> inner) : ITrainingTask<FineTuningBatch>
{
    public TorchSharp.torch.nn.Module Module => inner.Module;
    public int TrainingRowCount => inner.TrainingRowCount;
    public string? PrimaryMetric => inner.PrimaryMetric;
    public bool HigherIsBetter => inner.HigherIsBetter;
    public FineTuningBatch PrepareBatch(IReadOnlyList<int> rows) => inner.PrepareBatch(rows);
    public TorchSharp.torch.Tensor Loss(FineTuningBatch batch) => inner.Loss(batch);
    public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken) => inner.Evaluate(cancellationToken);
}
