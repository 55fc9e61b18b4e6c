namespace MLNetExt.Trainers.Compression;

/// <summary>How a fine-tuned classifier's attention heads are chosen for removal.</summary>
public enum HeadPruningMethod
{
    /// <summary>
    /// Michel, Levy and Neubig 2019: each head's importance is |d task loss / d head mask| summed over training batches;
    /// the least important heads overall are removed, then a recovery fine-tune.
    /// </summary>
    Importance,

    /// <summary>
    /// SHRP (Specialized Head Routing and Pruning, Su et al. 2025): every head is an expert behind a per-layer Top-1
    /// router, and a light expander feed-forward network shared by the heads refines their output; trained with the
    /// task loss through load balancing, specialisation and a deterministic fade-out of the heads the router used least,
    /// then those heads are removed, then a recovery fine-tune.
    /// </summary>
    Shrp,
}
