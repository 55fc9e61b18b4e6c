using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Tuners;

/// <summary>Creates tuners by their command-line names: <c>random</c>, <c>grid</c>, <c>cfo</c>, <c>tpe</c>, <c>eci</c>.</summary>
public static class TunerFactory
{
    /// <summary>The names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["random", "grid", "cfo", "tpe", "eci"];

    /// <summary>The top-level choice keys the <c>eci</c> tuner treats as component choices.</summary>
    public static IReadOnlyList<string> ComponentChoiceKeys { get; } = ["featurizer", "trainer"];

    /// <summary>Creates the tuner called <paramref name="name"/>.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="searchSpace">The space to search.</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="budget">Planned number of trials (sizes the grid: about budget^(1/d) points per continuous axis).</param>
    /// <param name="lowCostPoint">The cost-frugal tuner's start; null for the space's default.</param>
    /// <param name="ignoredChoices">For <c>eci</c>: choice keys a component makes meaningless (<c>SweepablePipeline.IgnoredChoices</c>).</param>
    /// <param name="convergence">For <c>eci</c>: when an arm has converged (null: the defaults).</param>
    public static ITuner Create(string name, SearchSpace searchSpace, int seed, int budget = 100, Parameter? lowCostPoint = null,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? ignoredChoices = null, ConvergenceRule? convergence = null)
    {
        ArgumentNullException.ThrowIfNull(searchSpace);
        return name.ToLowerInvariant() switch
        {
            "random" => new RandomSearchTuner(searchSpace, seed),
            "grid" => new GridSearchTuner(searchSpace, GridSteps(searchSpace, budget), seed),
            "cfo" or "cost-frugal" => new CostFrugalTuner(searchSpace, lowCostPoint, seed),
            "tpe" => new TreeParzenTuner(searchSpace, seed, startupTrials: Math.Clamp(budget / 5, 3, 10)),
            "eci" => new EciCostFrugalTuner(searchSpace, ComponentChoiceKeys, seed, ignoredChoices, convergence),
            _ => throw new ArgumentException($"Unknown tuner '{name}'; expected one of {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    private static int GridSteps(SearchSpace space, int budget)
    {
        int continuous = space.Step.Count(s => s is null);
        return continuous == 0 ? 5 : Math.Max(2, (int)Math.Floor(Math.Pow(Math.Max(budget, 1), 1.0 / continuous) + 1e-9));
    }
}
