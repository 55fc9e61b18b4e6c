namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// The paired bootstrap of two models' predictions on the same rows (Efron and Tibshirani 1993; Koehn 2004 for
/// comparing systems on one test set): draw the rows with replacement many times, compute the metric of both models on
/// each draw, and count how often the first does better. The share says how sure the rows make us that the first model
/// is better, beyond the luck of which rows were drawn for validation.
/// </summary>
public static class PairedBootstrap
{
    /// <summary>Resamples drawn by default.</summary>
    public const int DefaultResamples = 1000;

    /// <summary>
    /// The share of <paramref name="resamples"/> paired resamples of the rows on which <paramref name="candidate"/>'s
    /// <paramref name="metric"/> is strictly better than <paramref name="reference"/>'s (a resample where the metric is
    /// undefined for either counts as not better).
    /// </summary>
    /// <param name="candidate">The model that has to prove itself.</param>
    /// <param name="reference">The model it is compared with, on the same rows in the same order.</param>
    /// <param name="metric">A metric of <see cref="SweepMetrics.Names"/>; its direction comes from <see cref="SweepMetrics.HigherIsBetter"/>.</param>
    /// <param name="resamples">How many resamples (at least 1).</param>
    /// <param name="seed">Seed of the draws.</param>
    public static double WinShare(ScoredRows candidate, ScoredRows reference, string metric, int resamples = DefaultResamples, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        if (candidate.Count != reference.Count || candidate.Count == 0)
            throw new ArgumentException($"Both models must be scored on the same rows; got {candidate.Count} and {reference.Count} rows.", nameof(reference));
        bool higherIsBetter = SweepMetrics.HigherIsBetter(metric);
        var random = new Random(seed);
        var rows = new int[candidate.Count];
        int wins = 0;
        for (int r = 0; r < resamples; r++)
        {
            for (int i = 0; i < rows.Length; i++)
                rows[i] = random.Next(rows.Length);
            double a = candidate.Metric(metric, rows), b = reference.Metric(metric, rows);
            if (higherIsBetter ? a > b : a < b)
                wins++;
        }
        return wins / (double)resamples;
    }
}
