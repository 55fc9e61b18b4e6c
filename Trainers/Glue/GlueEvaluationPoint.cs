namespace MLNetExt.Trainers.Glue;

/// <summary>One evaluation of the dev set during a GLUE fine-tuning run.</summary>
/// <param name="Step">The optimisation step after which dev was scored.</param>
/// <param name="Dev">The task's measures on dev then (accuracy, f1, mcc; or pearson, spearman), as fractions.</param>
public sealed record GlueEvaluationPoint(int Step, IReadOnlyDictionary<string, double> Dev);
