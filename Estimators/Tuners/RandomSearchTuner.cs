using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Tuners;

/// <summary>Proposes uniformly random points of the unit cube: the baseline every other tuner must beat.</summary>
public sealed class RandomSearchTuner : UnitCubeTuner
{
    /// <summary>Creates the tuner.</summary>
    public RandomSearchTuner(SearchSpace searchSpace, int seed = 0)
        : base(searchSpace, seed)
    {
    }

    /// <inheritdoc />
    protected override double[] ProposePoint(int trialId) => RandomPoint();
}
