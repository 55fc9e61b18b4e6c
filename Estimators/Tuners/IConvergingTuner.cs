namespace MLNetExt.Estimators.Tuners;

/// <summary>
/// A tuner that tells when parts of the search (arms) have converged and moves its proposals to the others; when
/// every arm has converged, the sweep stops early instead of re-proposing configurations equal within noise.
/// </summary>
public interface IConvergingTuner : ITuner
{
    /// <summary>True when every arm has converged: further proposals are not expected to improve.</summary>
    bool IsConverged { get; }

    /// <summary>The arms that have converged, in the order they did.</summary>
    IReadOnlyList<ConvergedArm> ConvergedArms { get; }
}

/// <summary>An arm of a search that converged (see <see cref="ConvergenceRule"/>).</summary>
/// <param name="Arm">The arm's component choices, e.g. <c>featurizer=encoder trainer=sdca</c>.</param>
/// <param name="Trials">Trials the arm had run (or answered from memory) when it converged.</param>
/// <param name="AtTrialId">The trial whose result made it converge.</param>
/// <param name="BestLoss">The arm's best loss.</param>
public sealed record ConvergedArm(string Arm, int Trials, int AtTrialId, double BestLoss);
