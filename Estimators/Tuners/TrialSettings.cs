using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Tuners;

/// <summary>What a trial is: its number, the configuration it runs and when it ran.</summary>
public sealed class TrialSettings
{
    /// <summary>The trial number, counting from 0 over the whole sweep (resumed runs continue the count).</summary>
    public int TrialId { get; set; }

    /// <summary>The configuration (set from the tuner's proposal).</summary>
    public Parameter Parameter { get; set; } = Parameter.CreateNestedParameter();

    /// <summary>When the trial started (UTC).</summary>
    public DateTime StartedAtUtc { get; set; }

    /// <summary>When the trial ended (UTC), or null while it runs.</summary>
    public DateTime? EndedAtUtc { get; set; }
}
