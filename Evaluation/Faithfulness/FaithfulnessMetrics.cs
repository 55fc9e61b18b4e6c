namespace MLNetExt.Evaluation.Faithfulness;

/// <summary>
/// ERASER's faithfulness measures of a rationale (DeYoung et al., 2020) and their normalised forms (Carton et al., 2020),
/// computed from the explained output's values. p is the target probability on the whole text, pWithout with the
/// rationale (the top words) taken out, pOnly with only the rationale kept, pEmpty with no words.
/// </summary>
public static class FaithfulnessMetrics
{
    /// <summary>ERASER's removal levels: the top 1, 5, 10, 20 and 50% of the words.</summary>
    public static IReadOnlyList<double> EraserLevels { get; } = [0.01, 0.05, 0.10, 0.20, 0.50];

    /// <summary>Comprehensiveness p - pWithout: how much the output drops without the rationale (higher is more faithful).</summary>
    public static double Comprehensiveness(double p, double pWithout) => p - pWithout;

    /// <summary>Sufficiency p - pOnly: how much the output drops with only the rationale (lower is more faithful).</summary>
    public static double Sufficiency(double p, double pOnly) => p - pOnly;

    /// <summary>Area over the perturbation curve: the mean of a measure over the removal levels.</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static double Aopc(IReadOnlyList<double> valuesPerLevel)
    {
        ArgumentNullException.ThrowIfNull(valuesPerLevel);
        if (valuesPerLevel.Count == 0)
            throw new ArgumentException("AOPC needs at least one removal level.", nameof(valuesPerLevel));
        return valuesPerLevel.Average();
    }

    /// <summary>Words in the rationale at <paramref name="level"/> (a fraction of <paramref name="words"/>): at least 1, rounded up.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is not in (0, 1].</exception>
    public static int RationaleSize(int words, double level)
    {
        if (level is <= 0 or > 1 || double.IsNaN(level))
            throw new ArgumentOutOfRangeException(nameof(level), level, $"A removal level is a fraction in (0, 1], got {level}.");
        ArgumentOutOfRangeException.ThrowIfNegative(words);
        return Math.Min(words, Math.Max(1, (int)Math.Ceiling(level * words - 1e-9)));
    }

    /// <summary>
    /// Carton et al.'s normalised sufficiency: (suff(r) - suff(empty)) / (1 - suff(empty)) with suff(x) = 1 - max(0, p - p(x)),
    /// clipped to [0, 1]; higher is better. NaN when the empty text already keeps the whole output (nothing to normalise by).
    /// </summary>
    public static double NormalizedSufficiency(double p, double pOnly, double pEmpty)
    {
        double nullSufficiency = 1 - Math.Max(0, p - pEmpty);
        if (nullSufficiency >= 1)
            return double.NaN;
        double sufficiency = 1 - Math.Max(0, p - pOnly);
        return Math.Clamp((sufficiency - nullSufficiency) / (1 - nullSufficiency), 0, 1);
    }

    /// <summary>
    /// Carton et al.'s normalised comprehensiveness: max(0, p - pWithout) / (1 - suff(empty)), clipped to [0, 1]; higher is
    /// better. NaN when the empty text already keeps the whole output.
    /// </summary>
    public static double NormalizedComprehensiveness(double p, double pWithout, double pEmpty)
    {
        double nullSufficiency = 1 - Math.Max(0, p - pEmpty);
        if (nullSufficiency >= 1)
            return double.NaN;
        return Math.Clamp(Math.Max(0, p - pWithout) / (1 - nullSufficiency), 0, 1);
    }
}
