using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Tuners;

/// <summary>
/// Model-based search with a Tree-structured Parzen Estimator (Bergstra et al., "Algorithms for Hyper-Parameter
/// Optimization", NeurIPS 2011), in its multivariate form (as Optuna's <c>multivariate=True</c>).
/// </summary>
/// <remarks>
/// After <c>startupTrials</c> random points, observations are split into the best ⌈γ·n⌉ (at most 25) and the rest.
/// Each group gets a kernel density on the unit cube — one Gaussian per observation with a per-axis bandwidth
/// <c>0.2·n^(−1/(d+4))</c>, plus a broad prior component — and the tuner draws <c>candidates</c> points from the
/// good density and proposes the one maximising l(x)/g(x), which is proportional to expected improvement under the
/// TPE model. Failed trials fall in the bad group.
/// </remarks>
public sealed class TreeParzenTuner : UnitCubeTuner
{
    private const double BandwidthScale = 0.2;
    private const double PriorWeight = 1.0;
    private readonly int _startupTrials;
    private readonly int _candidates;
    private readonly double _gamma;

    /// <summary>Creates the tuner.</summary>
    /// <param name="searchSpace">The space to search.</param>
    /// <param name="seed">Seed of the sampling.</param>
    /// <param name="startupTrials">Random proposals before the model is used.</param>
    /// <param name="candidates">Points drawn from the good density per proposal.</param>
    /// <param name="gamma">Fraction of observations counted as good.</param>
    public TreeParzenTuner(SearchSpace searchSpace, int seed = 0, int startupTrials = 10, int candidates = 24, double gamma = 0.15)
        : base(searchSpace, seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(startupTrials, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(candidates, 1);
        if (!(gamma > 0 && gamma < 1))
            throw new ArgumentOutOfRangeException(nameof(gamma), $"gamma must lie in (0, 1); got {gamma}.");
        _startupTrials = startupTrials;
        _candidates = candidates;
        _gamma = gamma;
    }

    /// <inheritdoc />
    protected override double[] ProposePoint(int trialId)
    {
        if (History.Count < _startupTrials)
            return RandomPoint();

        var sorted = History.OrderBy(h => h.Loss).Select(h => h.Point).ToList();
        int goodCount = Math.Clamp((int)Math.Ceiling(_gamma * sorted.Count), 1, 25);
        var good = new ParzenDensity(sorted.Take(goodCount).ToList(), Dim);
        var bad = new ParzenDensity(sorted.Skip(goodCount).ToList(), Dim);

        double[]? best = null;
        double bestScore = double.NegativeInfinity;
        for (int c = 0; c < _candidates; c++)
        {
            double[] x = good.Sample(Random, NextGaussian);
            double score = good.LogDensity(x) - bad.LogDensity(x);
            if (score > bestScore)
            {
                bestScore = score;
                best = x;
            }
        }
        return best!;
    }

    // A mixture of axis-aligned Gaussians on [0,1]^d, one per observation, plus a wide prior centred in the cube.
    private sealed class ParzenDensity
    {
        private readonly List<double[]> _centres;
        private readonly double _sigma;
        private readonly int _dim;

        public ParzenDensity(List<double[]> points, int dim)
        {
            _dim = dim;
            _centres = points;
            double n = Math.Max(points.Count, 1);
            _sigma = Math.Clamp(BandwidthScale * Math.Pow(n, -1.0 / (dim + 4)), 1.0 / Math.Min(100, n + 1), 1.0);
        }

        private double TotalWeight => _centres.Count + PriorWeight;

        public double[] Sample(Random random, Func<double> gaussian)
        {
            double pick = random.NextDouble() * TotalWeight;
            bool prior = pick >= _centres.Count;
            double[]? centre = prior ? null : _centres[(int)pick];
            var x = new double[_dim];
            for (int i = 0; i < _dim; i++)
            {
                double mu = prior ? 0.5 : centre![i];
                double sigma = prior ? 1.0 : _sigma;
                double v;
                int tries = 0;
                do
                {
                    v = mu + sigma * gaussian();
                }
                while ((v < 0 || v > 1) && ++tries < 16);
                x[i] = Math.Clamp(v, 0, 1);
            }
            return x;
        }

        public double LogDensity(double[] x)
        {
            // log-sum-exp over components: each is a product of per-axis normal densities.
            var logs = new double[_centres.Count + 1];
            for (int k = 0; k < _centres.Count; k++)
                logs[k] = Math.Log(1.0 / TotalWeight) + LogNormal(x, _centres[k], _sigma);
            logs[^1] = Math.Log(PriorWeight / TotalWeight) + LogNormal(x, null, 1.0);
            double max = logs.Max();
            return max + Math.Log(logs.Sum(l => Math.Exp(l - max)));
        }

        private double LogNormal(double[] x, double[]? mu, double sigma)
        {
            double sum = 0;
            for (int i = 0; i < _dim; i++)
            {
                double z = (x[i] - (mu is null ? 0.5 : mu[i])) / sigma;
                sum += -0.5 * z * z - Math.Log(sigma) - 0.918938533204672742;
            }
            return sum;
        }
    }
}
