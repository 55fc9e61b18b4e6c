using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Tuners;

/// <summary>
/// Base of the tuners: they work on unit-cube points of a <see cref="SearchSpace"/> and keep the history of
/// (point, loss) observations, with failed trials counted as worse than any finished one.
/// </summary>
public abstract class UnitCubeTuner : ITuner
{
    private readonly List<(double[] Point, double Loss)> _history = new();

    /// <summary>Creates the tuner over <paramref name="searchSpace"/>, drawing randomness from <paramref name="seed"/>.</summary>
    protected UnitCubeTuner(SearchSpace searchSpace, int seed)
    {
        SearchSpace = searchSpace ?? throw new ArgumentNullException(nameof(searchSpace));
        if (searchSpace.FeatureSpaceDim == 0)
            throw new ArgumentException("The search space has no options.", nameof(searchSpace));
        Random = new Random(seed);
    }

    /// <summary>The space searched.</summary>
    public SearchSpace SearchSpace { get; }

    /// <summary>Number of unit-cube coordinates.</summary>
    protected int Dim => SearchSpace.FeatureSpaceDim;

    /// <summary>The tuner's random source (seeded, so runs repeat).</summary>
    protected Random Random { get; }

    /// <summary>Observations so far, in the order they arrived; failed trials carry +infinity.</summary>
    protected IReadOnlyList<(double[] Point, double Loss)> History => _history;

    /// <inheritdoc />
    public Parameter Propose(TrialSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        double[] point = ProposePoint(settings.TrialId);
        return SearchSpace.SampleFromFeatureSpace(point);
    }

    /// <inheritdoc />
    public void Update(TrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        double loss = result.IsFailed || double.IsNaN(result.Loss) ? double.PositiveInfinity : result.Loss;
        double[] point = SearchSpace.MappingToFeatureSpace(result.TrialSettings.Parameter);
        _history.Add((point, loss));
        OnObserved(result.TrialSettings.TrialId, point, loss);
    }

    /// <summary>The unit-cube point to try for trial <paramref name="trialId"/>.</summary>
    protected abstract double[] ProposePoint(int trialId);

    /// <summary>Called after each observation is added to <see cref="History"/>.</summary>
    protected virtual void OnObserved(int trialId, double[] point, double loss)
    {
    }

    /// <summary>A uniformly random unit-cube point.</summary>
    protected double[] RandomPoint()
    {
        var x = new double[Dim];
        for (int i = 0; i < x.Length; i++)
            x[i] = Random.NextDouble();
        return x;
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    protected double NextGaussian()
    {
        double u1 = 1.0 - Random.NextDouble();
        double u2 = Random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
