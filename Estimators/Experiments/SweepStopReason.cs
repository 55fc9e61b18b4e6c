namespace MLNetExt.Estimators.Experiments;

/// <summary>Why a sweep ended.</summary>
public enum SweepStopReason
{
    /// <summary>The time budget ran out.</summary>
    TimeBudget,

    /// <summary>The trial limit was reached.</summary>
    TrialLimit,

    /// <summary>The caller cancelled.</summary>
    Cancelled,

    /// <summary>Every arm of the tuner converged (see <c>ConvergenceRule</c>): the rest of the budget was left unused.</summary>
    Converged,
}
