namespace MLNetExt.Estimators.Pipelines;

/// <summary>What a sweep learns to predict.</summary>
public enum SweepTask
{
    /// <summary>A class among two or more (labels are mapped to keys; trainers are multiclass).</summary>
    Classification,

    /// <summary>A real number.</summary>
    Regression,
}
