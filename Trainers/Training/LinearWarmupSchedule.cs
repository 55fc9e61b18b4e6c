namespace MLNetExt.Trainers.Training;

/// <summary>Learning rate rising linearly over the warmup steps, then falling linearly to zero at the last step.</summary>
public sealed class LinearWarmupSchedule
{
    /// <summary>Creates the schedule.</summary>
    public LinearWarmupSchedule(double peak, int totalSteps, int warmupSteps)
    {
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "At least one step.");
        Peak = peak;
        TotalSteps = totalSteps;
        WarmupSteps = Math.Clamp(warmupSteps, 0, totalSteps);
    }

    /// <summary>The highest learning rate, reached at the end of warmup.</summary>
    public double Peak { get; }

    /// <summary>Number of optimisation steps.</summary>
    public int TotalSteps { get; }

    /// <summary>Number of warmup steps.</summary>
    public int WarmupSteps { get; }

    /// <summary>The learning rate of (zero-based) <paramref name="step"/>.</summary>
    public double At(int step)
    {
        if (step < WarmupSteps)
            return Peak * (step + 1) / WarmupSteps;
        return Peak * Math.Max(0.0, (double)(TotalSteps - step) / Math.Max(1, TotalSteps - WarmupSteps));
    }
}
