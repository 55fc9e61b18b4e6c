using System.Diagnostics;
using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Tuners;

/// <summary>The best value each seed reached, summarised, for one tuner on one function at one budget.</summary>
/// <param name="Tuner">Tuner name.</param>
/// <param name="Function">Function name.</param>
/// <param name="Budget">Evaluations per run.</param>
/// <param name="BestPerSeed">Best value found by each seed's run.</param>
/// <param name="Median">Median of <paramref name="BestPerSeed"/>.</param>
/// <param name="LowerQuartile">25th percentile of <paramref name="BestPerSeed"/>.</param>
/// <param name="UpperQuartile">75th percentile of <paramref name="BestPerSeed"/>.</param>
/// <param name="MillisecondsPerProposal">Mean time of one Propose + Update.</param>
public sealed record TunerScore(
    string Tuner, string Function, int Budget, double[] BestPerSeed,
    double Median, double LowerQuartile, double UpperQuartile, double MillisecondsPerProposal);

/// <summary>Runs tuners on standard functions over several seeds at an equal budget of evaluations.</summary>
public static class TunerComparison
{
    /// <summary>Runs <paramref name="tuner"/> for <paramref name="budget"/> evaluations of <paramref name="function"/>; returns the best value.</summary>
    public static double BestValue(ITuner tuner, StandardFunction function, int budget)
    {
        ArgumentNullException.ThrowIfNull(tuner);
        ArgumentNullException.ThrowIfNull(function);
        double best = double.PositiveInfinity;
        for (int t = 0; t < budget; t++)
        {
            var settings = new TrialSettings { TrialId = t, StartedAtUtc = DateTime.UtcNow };
            Parameter p = tuner.Propose(settings);
            settings.Parameter = p;
            double y = function.Evaluate(p);
            best = Math.Min(best, y);
            tuner.Update(new TrialResult { TrialSettings = settings, Metric = y, Loss = y });
        }
        return best;
    }

    /// <summary>Scores tuner <paramref name="tunerName"/> on <paramref name="function"/> with seeds 0..seeds-1.</summary>
    public static TunerScore Score(string tunerName, StandardFunction function, int budget, int seeds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seeds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, 1);
        var clock = Stopwatch.StartNew();
        double[] best = Enumerable.Range(0, seeds)
            .Select(seed => BestValue(TunerFactory.Create(tunerName, function.SearchSpace, seed, budget), function, budget))
            .ToArray();
        double msPerProposal = clock.Elapsed.TotalMilliseconds / (seeds * (double)budget);
        return new TunerScore(tunerName, function.Name, budget, best,
            Quantile(best, 0.5), Quantile(best, 0.25), Quantile(best, 0.75), msPerProposal);
    }

    /// <summary>The <paramref name="q"/>-quantile (linear interpolation between order statistics).</summary>
    public static double Quantile(IReadOnlyCollection<double> values, double q)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
            return double.NaN;
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
