using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Tuners;

/// <summary>
/// Proposes the next configuration to try and learns from finished trials, as ML.NET AutoML's <c>ITuner</c>.
/// Tuners minimise <see cref="TrialResult.Loss"/>; a failed trial counts as the worst outcome.
/// </summary>
/// <remarks>
/// The sweep calls <see cref="Propose"/> then, once the trial ends, <see cref="Update"/> with its result. A tuner
/// must accept an <see cref="Update"/> for a configuration it did not propose (a resumed sweep replays its
/// checkpoint that way) and treat it as one more observation.
/// </remarks>
public interface ITuner
{
    /// <summary>The configuration for the trial described by <paramref name="settings"/>.</summary>
    Parameter Propose(TrialSettings settings);

    /// <summary>Records the outcome of a trial.</summary>
    void Update(TrialResult result);
}
