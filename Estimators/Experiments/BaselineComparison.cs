namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// How a text sweep decided between its best trial and the best zero-training baseline: their validation metrics and,
/// when the trial did better, the share of paired bootstrap resamples of the validation rows on which it still did
/// (see <see cref="TextSweepOptions.BaselineConfidence"/>).
/// </summary>
public sealed class BaselineComparison
{
    /// <summary>The best baseline on validation.</summary>
    public required string Baseline { get; init; }

    /// <summary>The sweep's best trial.</summary>
    public required int TrialId { get; init; }

    /// <summary>The optimised metric of the trial on validation.</summary>
    public required double TrialMetric { get; init; }

    /// <summary>The optimised metric of the baseline on validation.</summary>
    public required double BaselineMetric { get; init; }

    /// <summary>
    /// The share of <see cref="Resamples"/> paired resamples of the validation rows on which the trial scored better than
    /// the baseline; null when it was not computed (the trial did not beat the baseline on all rows, or the required
    /// confidence is 0).
    /// </summary>
    public double? WinShare { get; init; }

    /// <summary>Resamples drawn (0 when <see cref="WinShare"/> was not computed).</summary>
    public int Resamples { get; init; }

    /// <summary>The share the trial needed (<see cref="TextSweepOptions.BaselineConfidence"/>).</summary>
    public required double RequiredConfidence { get; init; }

    /// <summary>Whether the trial was chosen over the baseline.</summary>
    public required bool TrialChosen { get; init; }

    /// <summary>
    /// The rule: the baseline wins ties (it is the simpler model); a trial that beats it on validation must also do so on
    /// at least <paramref name="confidence"/> of the paired resamples (<paramref name="winShare"/>, computed only then).
    /// </summary>
    internal static BaselineComparison Weigh(SweepCandidate trial, SweepCandidate baseline, double confidence, int resamples, Func<double> winShare)
    {
        bool trialBetter = trial.Loss < baseline.Loss;
        double? share = trialBetter && confidence > 0 ? winShare() : null;
        return new BaselineComparison
        {
            Baseline = baseline.Pipeline,
            TrialId = trial.TrialId ?? -1,
            TrialMetric = trial.Metric,
            BaselineMetric = baseline.Metric,
            WinShare = share,
            Resamples = share is null ? 0 : resamples,
            RequiredConfidence = confidence,
            TrialChosen = trialBetter && (share is not double s || s >= confidence),
        };
    }

    /// <summary>The decision in one sentence, for reports.</summary>
    public string Describe(string metric)
    {
        string numbers = FormattableString.Invariant($"trial {TrialId} {metric} {TrialMetric:F4} vs {BaselineMetric:F4}");
        if (WinShare is not double share)
            return TrialChosen
                ? $"trial {TrialId} beat the best baseline on validation ({numbers})"
                : $"the best baseline did at least as well as every trial on validation ({numbers})";
        string odds = FormattableString.Invariant($"better on {share:P0} of {Resamples} paired bootstrap resamples of the validation rows; {RequiredConfidence:P0} needed");
        return TrialChosen
            ? $"trial {TrialId} beat the best baseline on validation ({numbers}; {odds})"
            : $"the best baseline is kept: trial {TrialId} did better on validation but not surely ({numbers}; {odds})";
    }
}
