using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Evaluation.Metrics;

namespace MLNetExt.Evaluation.Glue;

/// <summary>
/// Computes a GLUE task's measures from gold labels and predictions, given as lists or as the output of an ML.NET
/// model (<c>model.Transform(data)</c>). ML.NET has no Matthews correlation or Spearman; they come from
/// <see cref="ClassificationMetrics"/> and <see cref="Correlation"/>.
/// </summary>
public static class GlueEvaluator
{
    /// <summary>Measures of a classification task from class indices.</summary>
    public static GlueResult Evaluate(GlueTask task, IReadOnlyList<int> gold, IReadOnlyList<int> predicted)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.IsRegression)
            throw new ArgumentException($"{task.Name} is a regression task; pass scores as doubles.", nameof(task));
        var metrics = new Dictionary<GlueMetric, double>();
        foreach (var m in task.Metrics)
        {
            metrics[m] = m switch
            {
                GlueMetric.Accuracy => ClassificationMetrics.Accuracy(gold, predicted),
                GlueMetric.F1 => ClassificationMetrics.F1(gold, predicted, positive: 1),
                GlueMetric.MatthewsCorrelation => ClassificationMetrics.MatthewsCorrelation(gold, predicted),
                _ => throw new InvalidOperationException($"{m} is not a classification measure."),
            };
        }
        return new GlueResult(task, gold.Count, metrics);
    }

    /// <summary>Measures of the regression task STS-B from gold and predicted scores.</summary>
    public static GlueResult Evaluate(GlueTask task, IReadOnlyList<double> gold, IReadOnlyList<double> predicted)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!task.IsRegression)
            throw new ArgumentException($"{task.Name} is a classification task; pass class indices.", nameof(task));
        return new GlueResult(task, gold.Count, new Dictionary<GlueMetric, double>
        {
            [GlueMetric.Pearson] = Correlation.Pearson(gold, predicted),
            [GlueMetric.Spearman] = Correlation.Spearman(gold, predicted),
        });
    }

    /// <summary>
    /// Measures from a scored <see cref="IDataView"/>. Classification columns may be key-typed (ML.NET's
    /// <c>PredictedLabel</c>; its key values are mapped back to label text when present), text, boolean or numeric
    /// (a class index); for STS-B both columns are numeric scores.
    /// </summary>
    /// <param name="task">The task.</param>
    /// <param name="predictions">The model's output.</param>
    /// <param name="labelColumn">The gold column.</param>
    /// <param name="predictedColumn">The prediction column; by default "PredictedLabel", or "Score" for STS-B.</param>
    public static GlueResult Evaluate(GlueTask task, IDataView predictions, string labelColumn = "Label", string? predictedColumn = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(predictions);
        predictedColumn ??= task.IsRegression ? "Score" : "PredictedLabel";
        if (task.IsRegression)
            return Evaluate(task, ColumnReader.ReadDoubles(predictions, labelColumn), ColumnReader.ReadDoubles(predictions, predictedColumn));
        return Evaluate(task, ColumnReader.ReadClasses(predictions, labelColumn, task), ColumnReader.ReadClasses(predictions, predictedColumn, task));
    }

    /// <summary>
    /// Measures of a model's predictions against the gold labels of examples read by <see cref="GlueReader"/>; row i of
    /// <paramref name="predictions"/> must belong to example i.
    /// </summary>
    public static GlueResult Evaluate(GlueTask task, IReadOnlyList<GlueExample> gold, IDataView predictions, string? predictedColumn = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predictions);
        predictedColumn ??= task.IsRegression ? "Score" : "PredictedLabel";
        if (task.IsRegression)
            return Evaluate(task, gold.Select(g => (double)g.Score).ToList(), Aligned(ColumnReader.ReadDoubles(predictions, predictedColumn), gold.Count));
        return Evaluate(task, gold.Select(g => g.LabelIndex).ToList(), Aligned(ColumnReader.ReadClasses(predictions, predictedColumn, task), gold.Count));
    }

    private static List<T> Aligned<T>(List<T> predicted, int expected) =>
        predicted.Count == expected ? predicted
            : throw new InvalidOperationException($"The predictions have {predicted.Count} rows, the gold data {expected}.");
}
