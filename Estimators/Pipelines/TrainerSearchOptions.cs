using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Pipelines;

/// <summary>
/// Searched hyperparameters of SDCA (maximum entropy for classification, squared loss for regression). Defaults
/// are the cheap corner where cost-frugal search starts: few passes, light regularisation.
/// </summary>
public sealed class SdcaSearchOptions
{
    /// <summary>L2 weight.</summary>
    [Range(1e-6, 10.0, logBase: true)]
    public double L2Regularization { get; set; } = 1e-4;

    /// <summary>L1 weight.</summary>
    [Range(1e-7, 1.0, logBase: true)]
    public double L1Regularization { get; set; } = 1e-7;

    /// <summary>Passes over the data.</summary>
    [Range(2, 200, logBase: true)]
    public int MaximumNumberOfIterations { get; set; } = 5;
}

/// <summary>Searched hyperparameters of L-BFGS maximum entropy (defaults as ML.NET's: L1 = L2 = 1).</summary>
public sealed class LbfgsSearchOptions
{
    /// <summary>L2 weight.</summary>
    [Range(1e-4, 10.0, logBase: true)]
    public double L2Regularization { get; set; } = 1;

    /// <summary>L1 weight.</summary>
    [Range(1e-4, 10.0, logBase: true)]
    public double L1Regularization { get; set; } = 1;

    /// <summary>Past updates kept to approximate the Hessian.</summary>
    [Range(2, 50, logBase: true)]
    public int HistorySize { get; set; } = 20;
}

/// <summary>Searched hyperparameters of gradient-boosted trees (FastTree, LightGBM); few small trees by default.</summary>
public sealed class BoostedTreeSearchOptions
{
    /// <summary>Boosting rounds (trees per class for LightGBM multiclass).</summary>
    [Range(4, 500, logBase: true)]
    public int NumberOfTrees { get; set; } = 20;

    /// <summary>Leaves per tree.</summary>
    [Range(4, 128, logBase: true)]
    public int NumberOfLeaves { get; set; } = 20;

    /// <summary>Shrinkage.</summary>
    [Range(0.01, 0.5, logBase: true)]
    public double LearningRate { get; set; } = 0.2;

    /// <summary>Fewest training rows per leaf.</summary>
    [Range(2, 100, logBase: true)]
    public int MinimumExampleCountPerLeaf { get; set; } = 10;
}
