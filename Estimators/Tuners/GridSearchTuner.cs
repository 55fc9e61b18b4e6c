using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Tuners;

/// <summary>
/// Walks the grid of the search space in a seeded random order: every value of a choice or a small int range,
/// and <c>stepsPerContinuousDimension</c> evenly spaced cell centres of a continuous or wide range. Once the grid is
/// exhausted it proposes random points.
/// </summary>
public sealed class GridSearchTuner : UnitCubeTuner
{
    private readonly double[][] _axes;
    private readonly long[] _order;
    private long _next;

    /// <summary>Creates the tuner.</summary>
    /// <param name="searchSpace">The space to search.</param>
    /// <param name="stepsPerContinuousDimension">Grid points on each continuous axis (and on int ranges wider than that).</param>
    /// <param name="seed">Seed of the visiting order.</param>
    public GridSearchTuner(SearchSpace searchSpace, int stepsPerContinuousDimension = 5, int seed = 0)
        : base(searchSpace, seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerContinuousDimension, 1);
        _axes = searchSpace.Step
            .Select(s => s is int n && n <= stepsPerContinuousDimension ? n : stepsPerContinuousDimension)
            .Select(n => Enumerable.Range(0, n).Select(i => (i + 0.5) / n).ToArray())
            .ToArray();
        double size = _axes.Aggregate(1.0, (acc, axis) => acc * axis.Length);
        if (size > 1_000_000)
            throw new ArgumentException($"The grid has {size:G3} points; lower stepsPerContinuousDimension (got {stepsPerContinuousDimension}).");
        _order = Enumerable.Range(0, (int)size).Select(i => (long)i).ToArray();
        Random.Shuffle(_order);
    }

    /// <summary>Number of grid points.</summary>
    public long GridSize => _order.Length;

    /// <inheritdoc />
    protected override double[] ProposePoint(int trialId)
    {
        if (_next >= _order.Length)
            return RandomPoint();
        long index = _order[_next++];
        var x = new double[Dim];
        for (int d = Dim - 1; d >= 0; d--)
        {
            int n = _axes[d].Length;
            x[d] = _axes[d][(int)(index % n)];
            index /= n;
        }
        return x;
    }
}
