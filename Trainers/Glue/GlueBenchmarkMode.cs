namespace MLNetExt.Trainers.Glue;

/// <summary>Which models <see cref="GlueBenchmark"/> trains and scores.</summary>
public enum GlueBenchmarkMode
{
    /// <summary>The fine-tuned encoder and the frozen-encoder baseline, on the same rows.</summary>
    Both,

    /// <summary>The fine-tuned encoder only.</summary>
    FineTune,

    /// <summary>The frozen-encoder baseline only (nothing is fine-tuned).</summary>
    Frozen,
}
