namespace MLNetExt.Evaluation.Metrics;

/// <summary>Pearson and Spearman correlation (as SciPy's <c>pearsonr</c> and <c>spearmanr</c> compute them).</summary>
public static class Correlation
{
    /// <summary>Pearson's r; NaN when either list is constant.</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ClassificationMetrics.CheckPairs(x, y);
        if (x.Count < 2)
            throw new ArgumentException("Correlation needs at least 2 pairs.", nameof(x));
        double mx = x.Average(), my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? double.NaN : Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1);
    }

    /// <summary>Spearman's rho: Pearson's r of the ranks, tied values sharing their average rank.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ClassificationMetrics.CheckPairs(x, y);
        return Pearson(AverageRanks(x), AverageRanks(y));
    }

    /// <summary>1-based ranks, ties given the mean of the ranks they span (SciPy's <c>rankdata(method="average")</c>).</summary>
    public static double[] AverageRanks(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int n = values.Count;
        int[] order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => values[a].CompareTo(values[b]));
        var ranks = new double[n];
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && values[order[end]].CompareTo(values[order[start]]) == 0)
                end++;
            double average = (start + 1 + end) / 2.0; // mean of ranks start+1 .. end
            for (int i = start; i < end; i++)
                ranks[order[i]] = average;
            start = end;
        }
        return ranks;
    }
}
