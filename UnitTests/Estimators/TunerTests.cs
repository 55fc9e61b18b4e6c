using MLNetExt.Estimators.SearchSpaces;
using MLNetExt.Estimators.Tuners;

namespace MLNetExt.UnitTests.Estimators;

[TestClass]
public sealed class TunerTests
{
    private static SearchSpace Discrete() => new()
    {
        ["k"] = new UniformIntOption(1, 3),
        ["c"] = new ChoiceOption("a", "b"),
    };

    [TestMethod]
    public void EveryTunerIsDeterministicForASeedAndStaysInTheSpace()
    {
        foreach (string name in TunerFactory.Names)
        {
            var first = Trace(TunerFactory.Create(name, StandardFunction.Branin.SearchSpace, seed: 7, budget: 30), 30);
            var second = Trace(TunerFactory.Create(name, StandardFunction.Branin.SearchSpace, seed: 7, budget: 30), 30);
            CollectionAssert.AreEqual(first, second, name);
            foreach (Parameter p in first.Select(Parameter.Parse))
            {
                Assert.IsTrue(p["x1"].AsDouble() is >= -5 and <= 10, $"{name}: {p}");
                Assert.IsTrue(p["x2"].AsDouble() is >= 0 and <= 15, $"{name}: {p}");
            }
        }
    }

    [TestMethod]
    public void GridVisitsEveryDiscreteConfigurationOnce()
    {
        var tuner = new GridSearchTuner(Discrete(), seed: 3);
        Assert.AreEqual(6, tuner.GridSize);
        var seen = Trace(tuner, 6);
        Assert.AreEqual(6, seen.Distinct().Count());
    }

    [TestMethod]
    public void CostFrugalStartsAtTheLowCostPointAndNeverRepeatsItsIncumbent()
    {
        var space = new SearchSpace
        {
            ["trees"] = new UniformIntOption(4, 1000, logBase: true, defaultValue: 100),
            ["lr"] = new UniformDoubleOption(1e-3, 1, logBase: true),
        };
        var lowCost = Parameter.CreateNestedParameter();
        lowCost["trees"] = Parameter.FromInt(4);
        var tuner = new CostFrugalTuner(space, lowCost, seed: 1);
        var settings = new TrialSettings { TrialId = 0 };
        Parameter first = tuner.Propose(settings);
        Assert.AreEqual(4, first["trees"].AsInt());
        settings.Parameter = first;
        tuner.Update(new TrialResult { TrialSettings = settings, Loss = 1 });
        var next = new TrialSettings { TrialId = 1 };
        Assert.AreNotEqual(first, tuner.Propose(next));
    }

    [TestMethod]
    public void TunersAcceptResultsTheyDidNotPropose()
    {
        foreach (string name in TunerFactory.Names)
        {
            ITuner tuner = TunerFactory.Create(name, Discrete(), seed: 0, budget: 10);
            for (int t = 0; t < 12; t++)
            {
                var settings = new TrialSettings { TrialId = t, Parameter = Discrete().SampleFromFeatureSpace([t % 3 / 3.0 + 0.1, t % 2 * 0.5 + 0.1]) };
                tuner.Update(t == 5
                    ? TrialResult.Failed(settings, new InvalidOperationException("boom"), 1, 1)
                    : new TrialResult { TrialSettings = settings, Loss = t % 4 });
            }
            Parameter p = tuner.Propose(new TrialSettings { TrialId = 12 });
            Assert.IsTrue(p["k"].AsInt() is >= 1 and <= 3, name);
        }
    }

    // The bar: at an equal budget, the model-based and the cost-frugal tuners beat random search on the
    // median over seeds. Small budgets keep this under a second; `mlnetext bench tuners` runs the full comparison.
    [TestMethod]
    [DataRow("branin", 40)]
    [DataRow("hartmann6", 60)]
    public void ModelBasedAndCostFrugalBeatRandomOnTheMedianOverSeeds(string functionName, int budget)
    {
        StandardFunction function = functionName == "branin" ? StandardFunction.Branin : StandardFunction.Hartmann6;
        const int seeds = 11;
        double random = TunerComparison.Score("random", function, budget, seeds).Median;
        double cfo = TunerComparison.Score("cfo", function, budget, seeds).Median;
        double tpe = TunerComparison.Score("tpe", function, budget, seeds).Median;
        Assert.IsLessThan(random, cfo, $"{functionName}: cfo median {cfo} vs random {random}");
        Assert.IsLessThan(random, tpe, $"{functionName}: tpe median {tpe} vs random {random}");
        Assert.IsGreaterThanOrEqualTo(function.GlobalMinimum - 1e-4, Math.Min(cfo, tpe));
    }

    [TestMethod]
    public void EciTriesEveryComponentOnceThenFavoursTheOneThatImproves()
    {
        var space = new SearchSpace
        {
            ["trainer"] = new ChoiceOption("slow", "good", "bad"),
            ["slow"] = new SearchSpace { ["x"] = new UniformDoubleOption(0, 1) },
            ["good"] = new SearchSpace { ["x"] = new UniformDoubleOption(0, 1) },
            ["bad"] = new SearchSpace { ["x"] = new UniformDoubleOption(0, 1) },
        };
        var tuner = new EciCostFrugalTuner(space, TunerFactory.ComponentChoiceKeys, seed: 2);
        Assert.AreEqual(3, tuner.ArmCount);
        var chosen = new List<string>();
        double best = double.PositiveInfinity;
        for (int t = 0; t < 40; t++)
        {
            var settings = new TrialSettings { TrialId = t };
            settings.Parameter = tuner.Propose(settings);
            string arm = settings.Parameter["trainer"].AsString();
            double x = settings.Parameter[arm]["x"].AsDouble();
            // "good" reaches 0 at x = 0.7; "slow" is as good but ten times as expensive; "bad" never gets below 1.
            double loss = arm == "bad" ? 1 + x : Math.Abs(x - 0.7);
            best = Math.Min(best, loss);
            chosen.Add(arm);
            tuner.Update(new TrialResult { TrialSettings = settings, Loss = loss, Metric = loss, DurationInMilliseconds = arm == "slow" ? 1000 : 100 });
        }
        CollectionAssert.AreEquivalent(new[] { "slow", "good", "bad" }, chosen.Take(3).ToArray());
        Assert.IsGreaterThan(chosen.Count(a => a == "slow"), chosen.Count(a => a == "good"), string.Join(",", chosen));
        Assert.IsGreaterThan(chosen.Count(a => a == "bad"), chosen.Count(a => a == "good"), string.Join(",", chosen));
        Assert.IsLessThan(0.05, best);
    }

    private static List<string> Trace(ITuner tuner, int budget)
    {
        var proposals = new List<string>();
        for (int t = 0; t < budget; t++)
        {
            var settings = new TrialSettings { TrialId = t };
            settings.Parameter = tuner.Propose(settings);
            proposals.Add(settings.Parameter.ToString());
            double loss = settings.Parameter.Keys.Contains("x1") ? StandardFunction.Branin.Evaluate(settings.Parameter) : t;
            tuner.Update(new TrialResult { TrialSettings = settings, Loss = loss, Metric = loss });
        }
        return proposals;
    }
}
