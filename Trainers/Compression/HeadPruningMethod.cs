namespace MLNetExt.Trainers.Compression;

/// <summary>How a fine-tuned classifier's attention heads are chosen for removal.</summary>
public enum HeadPruningMethod
{
    /// <summary>
    /// Michel, Levy and Neubig 2019: each head's importance is |d task loss / d head mask| summed over training batches;
    /// the least important heads overall are removed, then a recovery fine-tune.
    /// </summary>
    Importance,
}
