namespace MLNetExt.Estimators.Tuners;

/// <summary>
/// When a part of a search has converged: after <see cref="Patience"/> finished proposals in a row none of which
/// improved its best loss by more than <see cref="Tolerance"/>. A configuration proposed again (answered from an
/// earlier trial) or one equal within noise counts as such a proposal, so a tuner that keeps re-proposing what it has
/// seen converges instead of spending the budget on it.
/// </summary>
public sealed class ConvergenceRule
{
    /// <summary>Proposals in a row without an improvement beyond <see cref="Tolerance"/> after which the part has converged (default 10).</summary>
    public int Patience { get; init; } = 10;

    /// <summary>
    /// Smallest improvement of the loss that counts (default 0.001): below it, two results are equal within the noise of
    /// a validation metric on a few hundred rows. In the metric's units (loss is the metric, negated when higher is better).
    /// </summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>A rule that never fires (the search runs until the budget ends).</summary>
    public static ConvergenceRule Never { get; } = new() { Patience = int.MaxValue };

    internal void Validate()
    {
        if (Patience < 1)
            throw new ArgumentOutOfRangeException(nameof(Patience), $"Patience must be at least 1; got {Patience}.");
        if (!(Tolerance >= 0))
            throw new ArgumentOutOfRangeException(nameof(Tolerance), $"Tolerance must be zero or more; got {Tolerance}.");
    }
}
