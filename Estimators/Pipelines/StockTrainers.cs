using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Pipelines;

/// <summary>
/// Stock ML.NET trainers as sweepable estimators over a <c>Features</c> float vector and a <c>Label</c> column
/// (a key for classification, a float for regression): SDCA, L-BFGS maximum entropy, FastTree and LightGBM.
/// </summary>
public static class StockTrainers
{
    /// <summary>The label column the trainers read.</summary>
    public const string Label = "Label";

    /// <summary>The feature column the trainers read.</summary>
    public const string Features = "Features";

    /// <summary>All stock trainers for <paramref name="task"/>.</summary>
    public static IReadOnlyList<SweepableEstimator> For(SweepTask task) => task == SweepTask.Classification
        ? [SdcaMaximumEntropy(), LbfgsMaximumEntropy(), FastTreeOneVersusAll(), LightGbmMulticlass()]
        : [SdcaRegression(), FastTreeRegression(), LightGbmRegression()];

    /// <summary>The names of <see cref="For"/>'s trainers.</summary>
    public static IReadOnlyList<string> Names(SweepTask task) => For(task).Select(t => t.Name).ToArray();

    /// <summary>SDCA maximum entropy (multiclass logistic regression by dual coordinate ascent).</summary>
    public static SweepableEstimator SdcaMaximumEntropy() => new("sdca", new SearchSpace<SdcaSearchOptions>(), (ml, p) =>
    {
        var options = new SdcaMaximumEntropyMulticlassTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features };
        if (p?.AsType<SdcaSearchOptions>() is { } o)
        {
            options.L2Regularization = (float)o.L2Regularization;
            options.L1Regularization = (float)o.L1Regularization;
            options.MaximumNumberOfIterations = o.MaximumNumberOfIterations;
        }
        return ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(options);
    });

    /// <summary>L-BFGS maximum entropy.</summary>
    public static SweepableEstimator LbfgsMaximumEntropy() => new("lbfgs", new SearchSpace<LbfgsSearchOptions>(), (ml, p) =>
    {
        var options = new LbfgsMaximumEntropyMulticlassTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features };
        if (p?.AsType<LbfgsSearchOptions>() is { } o)
        {
            options.L2Regularization = (float)o.L2Regularization;
            options.L1Regularization = (float)o.L1Regularization;
            options.HistorySize = o.HistorySize;
        }
        return ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(options);
    });

    /// <summary>FastTree boosted trees, one binary model per class.</summary>
    public static SweepableEstimator FastTreeOneVersusAll() => new("fasttree", new SearchSpace<BoostedTreeSearchOptions>(), (ml, p) =>
    {
        var options = new FastTreeBinaryTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features };
        if (p?.AsType<BoostedTreeSearchOptions>() is { } o)
        {
            options.NumberOfTrees = o.NumberOfTrees;
            options.NumberOfLeaves = o.NumberOfLeaves;
            options.LearningRate = o.LearningRate;
            options.MinimumExampleCountPerLeaf = o.MinimumExampleCountPerLeaf;
        }
        return ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(options), Label);
    });

    /// <summary>LightGBM multiclass.</summary>
    public static SweepableEstimator LightGbmMulticlass() => new("lightgbm", new SearchSpace<BoostedTreeSearchOptions>(), (ml, p) =>
    {
        var options = new LightGbmMulticlassTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features, Seed = 0, NumberOfThreads = 1 };
        if (p?.AsType<BoostedTreeSearchOptions>() is { } o)
        {
            options.NumberOfIterations = o.NumberOfTrees;
            options.NumberOfLeaves = o.NumberOfLeaves;
            options.LearningRate = o.LearningRate;
            options.MinimumExampleCountPerLeaf = o.MinimumExampleCountPerLeaf;
        }
        return ml.MulticlassClassification.Trainers.LightGbm(options);
    });

    /// <summary>SDCA with squared loss.</summary>
    public static SweepableEstimator SdcaRegression() => new("sdca", new SearchSpace<SdcaSearchOptions>(), (ml, p) =>
    {
        var options = new SdcaRegressionTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features };
        if (p?.AsType<SdcaSearchOptions>() is { } o)
        {
            options.L2Regularization = (float)o.L2Regularization;
            options.L1Regularization = (float)o.L1Regularization;
            options.MaximumNumberOfIterations = o.MaximumNumberOfIterations;
        }
        return ml.Regression.Trainers.Sdca(options);
    });

    /// <summary>FastTree regression.</summary>
    public static SweepableEstimator FastTreeRegression() => new("fasttree", new SearchSpace<BoostedTreeSearchOptions>(), (ml, p) =>
    {
        var options = new FastTreeRegressionTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features };
        if (p?.AsType<BoostedTreeSearchOptions>() is { } o)
        {
            options.NumberOfTrees = o.NumberOfTrees;
            options.NumberOfLeaves = o.NumberOfLeaves;
            options.LearningRate = o.LearningRate;
            options.MinimumExampleCountPerLeaf = o.MinimumExampleCountPerLeaf;
        }
        return ml.Regression.Trainers.FastTree(options);
    });

    /// <summary>LightGBM regression.</summary>
    public static SweepableEstimator LightGbmRegression() => new("lightgbm", new SearchSpace<BoostedTreeSearchOptions>(), (ml, p) =>
    {
        var options = new LightGbmRegressionTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features, Seed = 0, NumberOfThreads = 1 };
        if (p?.AsType<BoostedTreeSearchOptions>() is { } o)
        {
            options.NumberOfIterations = o.NumberOfTrees;
            options.NumberOfLeaves = o.NumberOfLeaves;
            options.LearningRate = o.LearningRate;
            options.MinimumExampleCountPerLeaf = o.MinimumExampleCountPerLeaf;
        }
        return ml.Regression.Trainers.LightGbm(options);
    });
}
