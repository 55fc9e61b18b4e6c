using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.Pipelines;

namespace MLNetExt.UnitTests.Estimators;

/// <summary>
/// The rule that decides between a sweep's best trial and its best zero-training baseline: per-row metrics that agree
/// with the sweep's, the paired bootstrap, and the decision itself.
/// </summary>
[TestClass]
public sealed class BaselineSelectionTests
{
    private sealed class RegressionRow
    {
        public float Label { get; set; }

        public float Score { get; set; }
    }

    private static (double[] Gold, double[] Good, double[] Noisy) RegressionData(int rows, double noise, int seed)
    {
        var random = new Random(seed);
        double[] gold = Enumerable.Range(0, rows).Select(_ => random.NextDouble() * 5).ToArray();
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        double[] good = gold.Select(g => g + Gaussian() * noise).ToArray();
        double[] noisy = gold.Select(g => g + Gaussian() * noise * 1.02).ToArray();
        return (gold, good, noisy);
    }

    [TestMethod]
    public void RowMetricsAgreeWithTheSweepsMetrics()
    {
        var ml = new MLContext(0);
        var (gold, score, _) = RegressionData(200, 1.0, seed: 1);
        IDataView view = ml.Data.LoadFromEnumerable(gold.Zip(score).Select(p => new RegressionRow { Label = (float)p.First, Score = (float)p.Second }));
        Dictionary<string, double> expected = SweepMetrics.Compute(ml, view, SweepTask.Regression);
        ScoredRows rows = ScoredRows.Read(view, SweepTask.Regression);
        foreach (string metric in SweepMetrics.Names(SweepTask.Regression))
            Assert.AreEqual(expected[metric], rows.Metric(metric), 1e-5, metric);

        // Classification: three classes, probabilities from a fixed rule, the keys as ML.NET writes them.
        int[] goldKeys = [1, 2, 3, 1, 2, 3, 1, 1, 2, 3, 3, 2];
        int[] predicted = [1, 2, 3, 2, 2, 1, 1, 1, 3, 3, 3, 2];
        float[][] probabilities = predicted.Select((p, i) => Enumerable.Range(1, 3).Select(k => k == p ? 0.6f + 0.02f * i : (0.4f - 0.02f * i) / 2).ToArray()).ToArray();
        ScoredRows classes = ScoredRows.Classification(goldKeys, predicted, probabilities);
        Assert.AreEqual(9 / 12.0, classes.Metric("accuracy"), 1e-12);
        Assert.AreEqual((3 / 4.0 + 3 / 4.0 + 3 / 4.0) / 3, classes.Metric("macro-accuracy"), 1e-12);
        double logLoss = goldKeys.Select((g, i) => -Math.Log(probabilities[i][g - 1])).Average();
        Assert.AreEqual(logLoss, classes.Metric("log-loss"), 1e-9);
        Assert.IsTrue(double.IsNaN(classes.Metric("f1")), "F1 is defined for two classes only");
        Assert.AreEqual(1 / 3.0, classes.Metric("accuracy", [0, 3, 5]), 1e-12);
        Assert.ThrowsExactly<ArgumentException>(() => classes.Metric("spearman"));
    }

    [TestMethod]
    public void ThePairedBootstrapIsSureOfAClearWinAndUnsureOfANoisyOne()
    {
        var (gold, good, noisy) = RegressionData(300, 1.0, seed: 2);
        ScoredRows better = ScoredRows.Regression(gold, good);
        ScoredRows slightlyWorse = ScoredRows.Regression(gold, noisy);
        ScoredRows random = ScoredRows.Regression(gold, gold.Select((_, i) => (double)((i * 7919) % 300)).ToArray());

        Assert.AreEqual(1.0, PairedBootstrap.WinShare(better, random, "spearman", 200), "a real model against noise");
        Assert.AreEqual(0.0, PairedBootstrap.WinShare(random, better, "spearman", 200));
        Assert.AreEqual(0.0, PairedBootstrap.WinShare(better, better, "spearman", 200), "a model never strictly beats itself");
        double share = PairedBootstrap.WinShare(better, slightlyWorse, "spearman", 500);
        Assert.IsTrue(share is > 0.05 and < 0.95, $"two models within noise of each other: {share}");
        // Lower is better for RMSE: the direction comes from the metric.
        Assert.AreEqual(1.0, PairedBootstrap.WinShare(better, random, "rmse", 200));
        Assert.AreEqual(share, PairedBootstrap.WinShare(better, slightlyWorse, "spearman", 500), "seeded");
        Assert.ThrowsExactly<ArgumentException>(() => PairedBootstrap.WinShare(better, ScoredRows.Regression([1, 2], [1, 2]), "spearman"));
    }

    private static SweepCandidate Candidate(SweepCandidateKind kind, double spearman) => new()
    {
        Pipeline = kind.ToString(), Kind = kind, TrialId = kind == SweepCandidateKind.Trial ? 7 : null, Metric = spearman, Loss = -spearman,
    };

    [TestMethod]
    public void ATrialReplacesTheBaselineOnlyWhenItWinsBeyondTheValidationNoise()
    {
        SweepCandidate baseline = Candidate(SweepCandidateKind.Baseline, 0.8862);
        SweepCandidate trial = Candidate(SweepCandidateKind.Trial, 0.8901);
        int asked = 0;
        Func<double> share(double value) => () =>
        {
            asked++;
            return value;
        };

        BaselineComparison unsure = BaselineComparison.Weigh(trial, baseline, 0.95, 1000, share(0.71));
        Assert.IsFalse(unsure.TrialChosen);
        Assert.AreEqual(0.71, unsure.WinShare);
        StringAssert.Contains(unsure.Describe("spearman"), "not surely");
        Assert.IsTrue(BaselineComparison.Weigh(trial, baseline, 0.95, 1000, share(0.97)).TrialChosen);
        Assert.AreEqual(2, asked);

        // Ties go to the baseline without resampling; confidence 0 is plain best-on-validation.
        Assert.IsFalse(BaselineComparison.Weigh(Candidate(SweepCandidateKind.Trial, 0.8862), baseline, 0.95, 1000, share(1)).TrialChosen);
        BaselineComparison plain = BaselineComparison.Weigh(trial, baseline, 0, 1000, share(0));
        Assert.IsTrue(plain.TrialChosen);
        Assert.IsNull(plain.WinShare);
        Assert.IsFalse(BaselineComparison.Weigh(Candidate(SweepCandidateKind.Trial, 0.80), baseline, 0, 1000, share(1)).TrialChosen);
        Assert.AreEqual(2, asked, "the bootstrap runs only when the trial leads on validation and a confidence is asked for");
    }
}
