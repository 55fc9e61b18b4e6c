using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Estimators.Pipelines;

namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// The metrics a text sweep reports, computed on the validation predictions: for classification accuracy,
/// macro-accuracy, log-loss and, with two classes, F1 of the second class and Matthews correlation; for regression
/// R², RMSE, MAE, Pearson and Spearman correlation.
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
        var counts = m.ConfusionMatrix.Counts;
        if (counts.Count == 2)
        {
            // Rows are the true class, columns the predicted one; the second class (by value) is the positive one.
            double tn = counts[0][0], fp = counts[0][1], fn = counts[1][0], tp = counts[1][1];
            result["f1"] = tp == 0 ? 0 : 2 * tp / (2 * tp + fp + fn);
            double denominator = Math.Sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
            result["mcc"] = denominator == 0 ? 0 : (tp * tn - fp * fn) / denominator;
        }
        return result;
    }

    private static Dictionary<string, double> Regression(MLContext ml, IDataView predictions)
    {
        RegressionMetrics m = ml.Regression.Evaluate(predictions, StockTrainers.Label);
        float[] label = predictions.GetColumn<float>(StockTrainers.Label).ToArray();
        float[] score = predictions.GetColumn<float>("Score").ToArray();
        return new Dictionary<string, double>
        {
            ["r-squared"] = m.RSquared,
            ["rmse"] = m.RootMeanSquaredError,
            ["mae"] = m.MeanAbsoluteError,
            ["pearson"] = Pearson(label.Select(v => (double)v).ToArray(), score.Select(v => (double)v).ToArray()),
            ["spearman"] = Pearson(Ranks(label), Ranks(score)),
        };
    }

    /// <summary>Pearson correlation (NaN when either side is constant).</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count)
            throw new ArgumentException($"Lengths differ: {x.Count} and {y.Count}.");
        double mx = x.Average(), my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>Ranks from 1, ties getting their average rank (as Spearman's correlation needs).</summary>
    public static double[] Ranks(IReadOnlyList<float> values)
    {
        int[] order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
                end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++)
                ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }
}
