using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Evaluation.Metrics;

namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// One model's predictions on some rows, kept per row so that a metric can be computed on any resample of them
/// (see <see cref="PairedBootstrap"/>): the gold label and the score for regression; the gold and predicted class keys
/// and the class probabilities for classification.
/// </summary>
/// <remarks>
/// The metrics are those of <see cref="SweepMetrics"/> with the same formulas (accuracy, macro-accuracy as the mean recall
/// of the classes present, log-loss with probabilities clipped at 1e-15, F1 of the second key with two classes, Matthews
/// correlation; R², RMSE, MAE, Pearson, Spearman), so on all rows they agree with what the sweep reports.
/// </remarks>
public sealed class ScoredRows
{
    private const double LogLossEpsilon = 1e-15;
    private readonly SweepTask _task;
    private readonly double[] _label;
    private readonly double[] _score;
    private readonly int[] _gold;
    private readonly int[] _predicted;
    private readonly float[][] _probabilities;
    private readonly int _classes;

    private ScoredRows(SweepTask task, double[] label, double[] score, int[] gold, int[] predicted, float[][] probabilities, int classes)
    {
        (_task, _label, _score, _gold, _predicted, _probabilities, _classes) = (task, label, score, gold, predicted, probabilities, classes);
    }

    /// <summary>Number of rows.</summary>
    public int Count => _task == SweepTask.Regression ? _label.Length : _gold.Length;

    /// <summary>Regression rows from gold labels and scores.</summary>
    public static ScoredRows Regression(IReadOnlyList<double> label, IReadOnlyList<double> score)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(score);
        if (label.Count != score.Count)
            throw new ArgumentException($"There are {label.Count} labels and {score.Count} scores.", nameof(score));
        return new ScoredRows(SweepTask.Regression, label.ToArray(), score.ToArray(), [], [], [], 0);
    }

    /// <summary>Classification rows from 1-based gold and predicted class keys and each row's class probabilities (key k at index k - 1).</summary>
    public static ScoredRows Classification(IReadOnlyList<int> gold, IReadOnlyList<int> predicted, IReadOnlyList<float[]> probabilities)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (gold.Count != predicted.Count || gold.Count != probabilities.Count)
            throw new ArgumentException($"There are {gold.Count} gold keys, {predicted.Count} predicted keys and {probabilities.Count} probability vectors.", nameof(predicted));
        int classes = probabilities.Count == 0 ? 0 : probabilities[0].Length;
        return new ScoredRows(SweepTask.Classification, [], [], gold.ToArray(), predicted.ToArray(), probabilities.ToArray(), classes);
    }

    /// <summary>Reads scored rows (columns <c>Label</c>, <c>Score</c>, and the key <c>PredictedLabel</c> for classification).</summary>
    public static ScoredRows Read(IDataView scored, SweepTask task)
    {
        ArgumentNullException.ThrowIfNull(scored);
        if (task == SweepTask.Regression)
            return Regression(scored.GetColumn<float>(StockTrainers.Label).Select(v => (double)v).ToArray(),
                scored.GetColumn<float>("Score").Select(v => (double)v).ToArray());
        return Classification(scored.GetColumn<uint>(StockTrainers.Label).Select(k => (int)k).ToArray(),
            scored.GetColumn<uint>("PredictedLabel").Select(k => (int)k).ToArray(),
            scored.GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray()).ToArray());
    }

    /// <summary>The metric <paramref name="name"/> (see <see cref="SweepMetrics.Names"/>) on the rows <paramref name="rows"/> (repeats allowed), or on all rows when null.</summary>
    public double Metric(string name, IReadOnlyList<int>? rows = null)
    {
        SweepMetrics.Check(name, _task);
        IReadOnlyList<int> picked = rows ?? Enumerable.Range(0, Count).ToArray();
        return _task == SweepTask.Regression ? RegressionMetric(name, picked) : ClassificationMetric(name, picked);
    }

    private double RegressionMetric(string name, IReadOnlyList<int> rows)
    {
        double[] label = rows.Select(i => _label[i]).ToArray(), score = rows.Select(i => _score[i]).ToArray();
        switch (name)
        {
            case "pearson": return Correlation.Pearson(label, score);
            case "spearman": return Correlation.Spearman(label, score);
            case "mae": return label.Zip(score).Average(p => Math.Abs(p.First - p.Second));
            case "rmse": return Math.Sqrt(label.Zip(score).Average(p => (p.First - p.Second) * (p.First - p.Second)));
            default:
                double mean = label.Average();
                double total = label.Sum(v => (v - mean) * (v - mean));
                double residual = label.Zip(score).Sum(p => (p.First - p.Second) * (p.First - p.Second));
                return 1 - residual / total;
        }
    }

    private double ClassificationMetric(string name, IReadOnlyList<int> rows)
    {
        int[] gold = rows.Select(i => _gold[i]).ToArray(), predicted = rows.Select(i => _predicted[i]).ToArray();
        switch (name)
        {
            case "accuracy": return ClassificationMetrics.Accuracy(gold, predicted);
            case "mcc": return ClassificationMetrics.MatthewsCorrelation(gold, predicted);
            case "f1": return _classes == 2 ? ClassificationMetrics.F1(gold, predicted, positive: 2) : double.NaN;
            case "macro-accuracy":
                return gold.Zip(predicted).GroupBy(p => p.First).Average(g => g.Count(p => p.First == p.Second) / (double)g.Count());
            default:
                // A gold class the training rows never had (key 0) has probability 0.
                return rows.Average(i => -Math.Log(Math.Max(LogLossEpsilon, _gold[i] >= 1 && _gold[i] <= _probabilities[i].Length ? _probabilities[i][_gold[i] - 1] : 0)));
        }
    }
}
