using MLNetExt.Evaluation.Metrics;
using MLNetExt.Transforms.Attribution;

namespace MLNetExt.Evaluation.Faithfulness;

/// <summary>
/// How much two sets of attributions of the same texts agree: the mean over texts of Spearman's rank correlation of
/// the word scores. The model-randomisation sanity check (Adebayo et al., 2018) expects attributions of a trained model
/// and of the same model with randomised weights to disagree (a low correlation).
/// </summary>
public static class AttributionAgreement
{
    /// <summary>Mean Spearman correlation over texts with at least two words and non-constant scores on both sides.</summary>
    /// <exception cref="ArgumentException">The lists differ in length, or a text's word counts differ.</exception>
    public static double MeanSpearman(IReadOnlyList<TextAttribution> first, IReadOnlyList<TextAttribution> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count != second.Count)
            throw new ArgumentException($"Both sides need the same texts: {first.Count} vs {second.Count} attributions.", nameof(second));
        double sum = 0;
        int counted = 0;
        for (int i = 0; i < first.Count; i++)
        {
            if (first[i].Scores.Length != second[i].Scores.Length)
                throw new ArgumentException($"Text {i} has {first[i].Scores.Length} words on one side and {second[i].Scores.Length} on the other.", nameof(second));
            if (first[i].Scores.Length < 2)
                continue;
            double rho = Correlation.Spearman(first[i].Scores.Select(s => (double)s).ToArray(), second[i].Scores.Select(s => (double)s).ToArray());
            if (double.IsNaN(rho))
                continue;
            sum += rho;
            counted++;
        }
        return counted == 0 ? double.NaN : sum / counted;
    }
}
