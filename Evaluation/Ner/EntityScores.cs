namespace MLNetExt.Evaluation.Ner;

/// <summary>Exact-match counts and precision / recall / F1 of one entity type, or of all types together.</summary>
/// <param name="Gold">Entities in the gold data.</param>
/// <param name="Predicted">Entities predicted.</param>
/// <param name="Correct">Predicted entities that match a gold entity exactly (same type, same first and last word).</param>
public sealed record EntityScores(int Gold, int Predicted, int Correct)
{
    /// <summary>Correct / predicted (0 when nothing was predicted).</summary>
    public double Precision => Predicted == 0 ? 0 : (double)Correct / Predicted;

    /// <summary>Correct / gold (0 when there is no gold entity).</summary>
    public double Recall => Gold == 0 ? 0 : (double)Correct / Gold;

    /// <summary>Harmonic mean of precision and recall (0 when both are 0).</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}
