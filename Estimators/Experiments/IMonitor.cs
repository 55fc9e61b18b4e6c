using MLNetExt.Estimators.Tuners;

namespace MLNetExt.Estimators.Experiments;

/// <summary>Hears what a sweep does, trial by trial (ML.NET AutoML's <c>IMonitor</c>).</summary>
public interface IMonitor
{
    /// <summary>A trial is about to run.</summary>
    void ReportRunningTrial(TrialSettings settings);

    /// <summary>A trial finished (also called for each trial read back from a checkpoint, with <paramref name="resumed"/> set).</summary>
    void ReportCompletedTrial(TrialResult result, bool resumed);

    /// <summary>A trial failed; the sweep goes on.</summary>
    void ReportFailTrial(TrialSettings settings, Exception exception);

    /// <summary>A trial became the best so far.</summary>
    void ReportBestTrial(TrialResult result);
}
