using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.SearchSpaces;
using MLNetExt.Estimators.Tuners;

namespace MLNetExt.UnitTests.Estimators;

[TestClass]
public sealed class ConvergenceTests
{
    private static SearchSpace TwoArms() => new()
    {
        ["trainer"] = new ChoiceOption("flat", "improving"),
        ["flat"] = new SearchSpace { ["x"] = new UniformDoubleOption(0, 1) },
        ["improving"] = new SearchSpace { ["x"] = new UniformDoubleOption(0, 1) },
    };

    // "flat" scores the same within noise wherever it looks; "improving" reaches 0 at x = 0.7.
    private static double Loss(Parameter p)
    {
        string arm = p["trainer"].AsString();
        double x = p[arm]["x"].AsDouble();
        return arm == "flat" ? 0.5 + 1e-5 * x : Math.Abs(x - 0.7);
    }

    [TestMethod]
    public void AnArmThatStopsImprovingGetsNoMoreTrialsAndTheTunerConvergesWhenEveryArmHas()
    {
        var rule = new ConvergenceRule { Patience = 5, Tolerance = 1e-3 };
        var tuner = new EciCostFrugalTuner(TwoArms(), TunerFactory.ComponentChoiceKeys, seed: 3, convergence: rule);
        var arms = new List<string>();
        for (int t = 0; t < 300 && !tuner.IsConverged; t++)
        {
            var settings = new TrialSettings { TrialId = t };
            settings.Parameter = tuner.Propose(settings);
            arms.Add(settings.Parameter["trainer"].AsString());
            double loss = Loss(settings.Parameter);
            tuner.Update(new TrialResult { TrialSettings = settings, Loss = loss, Metric = loss, DurationInMilliseconds = 100 });
        }

        // flat: one trial sets its best, five more change nothing beyond the tolerance, then it is left alone.
        Assert.AreEqual(6, arms.Count(a => a == "flat"), string.Join(",", arms));
        ConvergedArm flat = tuner.ConvergedArms.Single(a => a.Arm == "trainer=flat");
        Assert.AreEqual(6, flat.Trials);
        Assert.AreEqual(0.5, flat.BestLoss, 1e-4);
        int flatConvergedAt = arms.Select((a, i) => (a, i)).Where(p => p.a == "flat").ElementAt(5).i;
        Assert.AreEqual(flatConvergedAt, flat.AtTrialId);
        Assert.IsFalse(arms.Skip(flatConvergedAt + 1).Contains("flat"));

        // improving kept the rest of the budget, got close to its optimum, and then converged too.
        Assert.IsTrue(tuner.IsConverged, $"{arms.Count} trials");
        Assert.IsLessThan(300, arms.Count);
        ConvergedArm improving = tuner.ConvergedArms.Single(a => a.Arm == "trainer=improving");
        Assert.IsLessThan(0.02, improving.BestLoss);
        Assert.AreEqual(arms.Count - 1, tuner.ConvergedArms.Max(a => a.AtTrialId), "the sweep's last trial made the last arm converge");
    }

    [TestMethod]
    public void ASweepWhoseArmsAllConvergeStopsEarlyAndSaysSo()
    {
        var rule = new ConvergenceRule { Patience = 4 };
        // Every configuration scores the same: re-proposals and new points alike are equal within noise.
        var runner = new ConstantRunner();
        var experiment = new SweepExperiment()
            .SetSearchSpace(TwoArms())
            .SetTrialRunner(runner)
            .SetTuner(space => new EciCostFrugalTuner(space, TunerFactory.ComponentChoiceKeys, seed: 1, convergence: rule))
            .SetMaxTrials(200);
        experiment.Run();

        Assert.AreEqual(SweepStopReason.Converged, experiment.StopReason);
        // Five proposals per arm (one best, four without improvement); proposals the sweep had already run are answered
        // from memory and count towards convergence without running again.
        CollectionAssert.AreEquivalent(new[] { "trainer=flat", "trainer=improving" }, experiment.ConvergedArms.Select(a => a.Arm).ToArray());
        Assert.IsTrue(experiment.ConvergedArms.All(a => a.Trials == 5));
        Assert.IsLessThanOrEqualTo(10, experiment.Trials.Count);
        Assert.IsGreaterThanOrEqualTo(2, experiment.Trials.Count);

        // Without the rule the same sweep runs to its trial limit.
        var unbounded = new SweepExperiment()
            .SetSearchSpace(TwoArms())
            .SetTrialRunner(new ConstantRunner())
            .SetTuner(space => new EciCostFrugalTuner(space, TunerFactory.ComponentChoiceKeys, seed: 1, convergence: ConvergenceRule.Never))
            .SetMaxTrials(30);
        unbounded.Run();
        Assert.AreEqual(SweepStopReason.TrialLimit, unbounded.StopReason);
        Assert.AreEqual(30, unbounded.Trials.Count);
    }

    [TestMethod]
    public void ABadRuleIsRefusedNamingTheValue()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            new EciCostFrugalTuner(TwoArms(), TunerFactory.ComponentChoiceKeys, convergence: new ConvergenceRule { Patience = 0 }));
        StringAssert.Contains(e.Message, "got 0");
    }

    private sealed class ConstantRunner : ITrialRunner
    {
        public TrialResult Run(TrialSettings settings, CancellationToken cancellationToken) =>
            new() { TrialSettings = settings, Metric = 0.25, Loss = 0.25 };
    }
}
