using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Evaluation.Metrics;

namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// The metrics a text sweep reports, computed on the validation predictions: for classification accuracy,
/// macro-accuracy, log-loss, Matthews correlation and, with two classes, F1 of the second class; for regression
/// R², RMSE, MAE, Pearson and Spearman correlation (F1, MCC and correlations from MLNetExt.Evaluation).
/// </summary>
public static class SweepMetrics
{
    /// <summary>The metric names available for <paramref name="task"/>; the first is the default to optimise.</summary>
    public static IReadOnlyList<string> Names(SweepTask task) => task == SweepTask.Classification
        ? ["accuracy", "macro-accuracy", "log-loss", "f1", "mcc"]
        : ["r-squared", "rmse", "mae", "pearson", "spearman"];

    /// <summary>Whether a bigger value of <paramref name="name"/> is better.</summary>
    public static bool HigherIsBetter(string name) => name is not ("log-loss" or "rmse" or "mae");

    /// <summary>Throws when <paramref name="name"/> is not a metric of <paramref name="task"/>.</summary>
    public static void Check(string name, SweepTask task)
    {
        if (!Names(task).Contains(name))
            throw new ArgumentException($"Unknown {task} metric '{name}'; expected one of {string.Join(", ", Names(task))}.", nameof(name));
    }

    /// <summary>Computes every metric of <paramref name="task"/> from scored rows (columns <c>Label</c>, <c>Score</c>, and <c>PredictedLabel</c> for classification).</summary>
    public static Dictionary<string, double> Compute(MLContext mlContext, IDataView predictions, SweepTask task)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(predictions);
        return task == SweepTask.Classification ? Classification(mlContext, predictions) : Regression(mlContext, predictions);
    }

    private static Dictionary<string, double> Classification(MLContext ml, IDataView predictions)
    {
        MulticlassClassificationMetrics m = ml.MulticlassClassification.Evaluate(predictions, StockTrainers.Label);
        var result = new Dictionary<string, double>
        {
            ["accuracy"] = m.MicroAccuracy,
            ["macro-accuracy"] = m.MacroAccuracy,
            ["log-loss"] = m.LogLoss,
        };
        // Keys are 1-based and ordered by label value: with two classes, key 2 (the larger value, e.g. "1") is positive.
        int[] gold = predictions.GetColumn<uint>(StockTrainers.Label).Select(k => (int)k).ToArray();
        int[] predicted = predictions.GetColumn<uint>("PredictedLabel").Select(k => (int)k).ToArray();
        result["mcc"] = ClassificationMetrics.MatthewsCorrelation(gold, predicted);
        if (m.ConfusionMatrix.NumberOfClasses == 2)
            result["f1"] = ClassificationMetrics.F1(gold, predicted, positive: 2);
        return result;
    }

    private static Dictionary<string, double> Regression(MLContext ml, IDataView predictions)
    {
        RegressionMetrics m = ml.Regression.Evaluate(predictions, StockTrainers.Label);
        double[] label = predictions.GetColumn<float>(StockTrainers.Label).Select(v => (double)v).ToArray();
        double[] score = predictions.GetColumn<float>("Score").Select(v => (double)v).ToArray();
        return new Dictionary<string, double>
        {
            ["r-squared"] = m.RSquared,
            ["rmse"] = m.RootMeanSquaredError,
            ["mae"] = m.MeanAbsoluteError,
            ["pearson"] = Correlation.Pearson(label, score),
            ["spearman"] = Correlation.Spearman(label, score),
        };
    }
}
