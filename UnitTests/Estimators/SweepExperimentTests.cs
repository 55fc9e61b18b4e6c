using Microsoft.Extensions.Time.Testing;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.SearchSpaces;
using MLNetExt.Estimators.Tuners;

namespace MLNetExt.UnitTests.Estimators;

[TestClass]
public sealed class SweepExperimentTests
{
    // Scores Branin; fails every configuration with x1 > 7; can cancel the sweep after a number of calls (a "kill").
    private sealed class BraninRunner : ITrialRunner
    {
        public int Calls;
        public CancellationTokenSource? KillAfter;
        public int KillAt = int.MaxValue;

        public TrialResult Run(TrialSettings settings, CancellationToken cancellationToken)
        {
            if (++Calls == KillAt)
            {
                KillAfter!.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (settings.Parameter["x1"].AsDouble() > 7)
                throw new InvalidOperationException("x1 too large");
            double y = StandardFunction.Branin.Evaluate(settings.Parameter);
            return new TrialResult { TrialSettings = settings, Metric = y, Loss = y };
        }
    }

    private sealed class RecordingMonitor : IMonitor
    {
        public readonly List<string> Lines = new();
        public int Failed, Resumed, Best;

        public void ReportRunningTrial(TrialSettings settings) { }

        public void ReportCompletedTrial(TrialResult result, bool resumed)
        {
            Lines.Add(TextWriterMonitor.FormatLine(result, "branin", resumed));
            if (resumed)
                Resumed++;
        }

        public void ReportFailTrial(TrialSettings settings, Exception exception) => Failed++;

        public void ReportBestTrial(TrialResult result) => Best++;
    }

    private static SweepExperiment Experiment(BraninRunner runner, IMonitor monitor, int maxTrials, string? checkpoint = null)
    {
        var experiment = new SweepExperiment()
            .SetSearchSpace(StandardFunction.Branin.SearchSpace)
            .SetTrialRunner(runner)
            .SetTuner(space => new RandomSearchTuner(space, seed: 5))
            .SetMonitor(monitor)
            .SetMaxTrials(maxTrials);
        return checkpoint is null ? experiment : experiment.SetCheckpoint(checkpoint);
    }

    [TestMethod]
    public void FailedTrialsAreRecordedAndTheSweepGoesOn()
    {
        var runner = new BraninRunner();
        var monitor = new RecordingMonitor();
        var experiment = Experiment(runner, monitor, 30);
        TrialResult best = experiment.Run();

        Assert.AreEqual(30, experiment.Trials.Count);
        var failed = experiment.Trials.Where(t => t.IsFailed).ToList();
        Assert.IsNotEmpty(failed);
        Assert.AreEqual(failed.Count, monitor.Failed);
        Assert.IsTrue(failed.All(t => t.Error!.Contains("x1 too large") && double.IsPositiveInfinity(t.Loss)));
        Assert.IsFalse(best.IsFailed);
        Assert.AreEqual(experiment.Trials.Where(t => !t.IsFailed).Min(t => t.Loss), best.Loss);
        Assert.IsTrue(monitor.Lines.All(l => l.Contains("x1=") && l.Contains("branin=") && l.Contains(" s ") && l.Contains("MiB")), monitor.Lines[0]);
    }

    [TestMethod]
    public void AKilledSweepResumesWithoutRerunningFinishedTrials()
    {
        string folder = Path.Combine(Path.GetTempPath(), "mlnetext-sweep-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Reference: 20 trials uninterrupted.
            var reference = Experiment(new BraninRunner(), new RecordingMonitor(), 20);
            reference.Run();

            // Killed during its 9th trial (8 finished), then resumed to 20.
            using var kill = new CancellationTokenSource();
            var first = new BraninRunner { KillAfter = kill, KillAt = 9 };
            var interrupted = Experiment(first, new RecordingMonitor(), 20, folder);
            interrupted.Run(kill.Token);
            Assert.AreEqual(8, interrupted.Trials.Count);
            StringAssert.Contains(File.ReadAllText(Path.Combine(folder, "checkpoint.json")), "\"TrialId\": 7");

            var second = new BraninRunner();
            var monitor = new RecordingMonitor();
            var resumed = Experiment(second, monitor, 20, folder);
            TrialResult best = resumed.Run();

            Assert.AreEqual(8, resumed.ResumedTrialCount);
            Assert.AreEqual(12, second.Calls, "only the 12 missing trials run again");
            Assert.AreEqual(monitor.Resumed, resumed.Trials.Take(8).Count(t => !t.IsFailed));
            CollectionAssert.AreEqual(Enumerable.Range(0, 20).ToArray(), resumed.Trials.Select(t => t.TrialSettings.TrialId).ToArray());
            // A seeded tuner continues exactly: the resumed sweep proposes what the uninterrupted one did.
            CollectionAssert.AreEqual(
                reference.Trials.Select(t => t.TrialSettings.Parameter.ToString()).ToArray(),
                resumed.Trials.Select(t => t.TrialSettings.Parameter.ToString()).ToArray());
            Assert.AreEqual(reference.Trials.Where(t => !t.IsFailed).Min(t => t.Loss), best.Loss);

            // Nothing left to do: a third run reads everything back and runs nothing.
            var third = new BraninRunner();
            Experiment(third, new RecordingMonitor(), 20, folder).Run();
            Assert.AreEqual(0, third.Calls);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ACheckpointOfAnotherSearchSpaceIsRefused()
    {
        string folder = Path.Combine(Path.GetTempPath(), "mlnetext-sweep-" + Guid.NewGuid().ToString("N"));
        try
        {
            Experiment(new BraninRunner(), new RecordingMonitor(), 3, folder).Run();
            var other = new SweepExperiment()
                .SetSearchSpace(new SearchSpace { ["x1"] = new UniformDoubleOption(0, 1), ["x2"] = new UniformDoubleOption(0, 1) })
                .SetTrialRunner(new BraninRunner())
                .SetMaxTrials(5)
                .SetCheckpoint(folder);
            var e = Assert.ThrowsExactly<InvalidOperationException>(() => other.Run());
            StringAssert.Contains(e.Message, "another search space");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // Each trial "costs" a fixed time on a fake clock, advanced inside the trial as real work would be.
    private sealed class CostlyRunner(FakeTimeProvider clock, TimeSpan cost) : ITrialRunner
    {
        public TrialResult Run(TrialSettings settings, CancellationToken cancellationToken)
        {
            clock.Advance(cost);
            cancellationToken.ThrowIfCancellationRequested();
            double y = StandardFunction.Branin.Evaluate(settings.Parameter);
            return new TrialResult { TrialSettings = settings, Metric = y, Loss = y };
        }
    }

    private static SweepExperiment BudgetedExperiment(FakeTimeProvider clock, TimeSpan trialCost, double budgetSeconds) =>
        new SweepExperiment(clock)
            .SetSearchSpace(StandardFunction.Branin.SearchSpace)
            .SetTrialRunner(new CostlyRunner(clock, trialCost))
            .SetTuner(space => new RandomSearchTuner(space, seed: 5))
            .SetMaxTrials(1000)
            .SetTrainingTimeInSeconds(budgetSeconds);

    [TestMethod]
    public void TheTimeBudgetCancelsTheTrialRunningWhenItEnds()
    {
        var clock = new FakeTimeProvider();
        var experiment = BudgetedExperiment(clock, TimeSpan.FromSeconds(0.4), budgetSeconds: 1);

        TrialResult best = experiment.Run();

        // 0-0.4 s and 0.4-0.8 s finish; the third runs past 1 s and is cut short, recorded as cancelled with its time.
        Assert.AreEqual(3, experiment.Trials.Count);
        Assert.IsFalse(experiment.Trials[0].IsFailed || experiment.Trials[1].IsFailed);
        Assert.IsTrue(experiment.Trials[2].IsFailed && experiment.Trials[2].IsCancelled, experiment.Trials[2].Error);
        Assert.IsTrue(experiment.Trials.All(t => t.DurationInMilliseconds == 400), "trial durations come from the sweep's clock");
        Assert.AreEqual(clock.Start.UtcDateTime.AddSeconds(0.8), experiment.Trials[2].TrialSettings.StartedAtUtc);
        Assert.AreEqual(experiment.Trials.Take(2).Min(t => t.Loss), best.Loss);
    }

    [TestMethod]
    public void TheTimeBudgetLetsTheFirstTrialFinish()
    {
        var clock = new FakeTimeProvider();
        var experiment = BudgetedExperiment(clock, TimeSpan.FromSeconds(3), budgetSeconds: 1);

        TrialResult best = experiment.Run();

        // A sweep always returns a model: the first trial outlives the budget and still completes; none follows.
        Assert.AreEqual(1, experiment.Trials.Count);
        Assert.IsFalse(best.IsFailed);
        Assert.AreEqual(3000, best.DurationInMilliseconds);
    }

    [TestMethod]
    public void TheTimeBudgetCountsThisRunOnly()
    {
        using var folder = new MLNetExt.UnitTests.Transforms.TempFolder();
        var clock = new FakeTimeProvider();
        BudgetedExperiment(clock, TimeSpan.FromSeconds(0.4), budgetSeconds: 1).SetCheckpoint(folder.Path).Run();

        var resumed = BudgetedExperiment(clock, TimeSpan.FromSeconds(0.4), budgetSeconds: 1).SetCheckpoint(folder.Path);
        resumed.Run();

        Assert.AreEqual(3, resumed.ResumedTrialCount);
        Assert.AreEqual(6, resumed.Trials.Count, "the resumed run has its own 1 s: two more trials and one cut short");
        Assert.IsTrue(resumed.Trials[5].IsCancelled);
    }

    [TestMethod]
    public void ASweepWithoutAnEndIsRefused()
    {
        var experiment = new SweepExperiment().SetSearchSpace(StandardFunction.Branin.SearchSpace).SetTrialRunner(new BraninRunner());
        Assert.ThrowsExactly<InvalidOperationException>(() => experiment.Run());
    }
}
