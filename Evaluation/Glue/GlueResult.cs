namespace MLNetExt.Evaluation.Glue;

/// <summary>The GLUE measures of one task on one split.</summary>
public sealed class GlueResult
{
    internal GlueResult(GlueTask task, int count, IReadOnlyDictionary<GlueMetric, double> metrics)
    {
        Task = task;
        Count = count;
        Metrics = metrics;
    }

    /// <summary>The task.</summary>
    public GlueTask Task { get; }

    /// <summary>Number of evaluated examples.</summary>
    public int Count { get; }

    /// <summary>The task's measures (fractions, not percentages).</summary>
    public IReadOnlyDictionary<GlueMetric, double> Metrics { get; }

    /// <summary>The task's primary measure (the first of <see cref="GlueTask.Metrics"/>).</summary>
    public double Primary => Metrics[Task.Metrics[0]];

    /// <summary>Measures keyed by short names: accuracy, f1, mcc, pearson, spearman.</summary>
    public IReadOnlyDictionary<string, double> ByName =>
        Metrics.ToDictionary(p => ShortName(p.Key), p => p.Value);

    /// <summary>The short name of a measure.</summary>
    public static string ShortName(GlueMetric metric) => metric switch
    {
        GlueMetric.Accuracy => "accuracy",
        GlueMetric.F1 => "f1",
        GlueMetric.MatthewsCorrelation => "mcc",
        GlueMetric.Pearson => "pearson",
        _ => "spearman",
    };
}
