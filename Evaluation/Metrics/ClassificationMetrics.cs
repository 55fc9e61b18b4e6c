namespace MLNetExt.Evaluation.Metrics;

/// <summary>
/// Classification measures as GLUE defines them (scikit-learn's <c>accuracy_score</c>, <c>f1_score</c> of the
/// positive class and <c>matthews_corrcoef</c>). Labels are class indices.
/// </summary>
public static class ClassificationMetrics
{
    /// <summary>Share of predictions equal to the gold label.</summary>
    public static double Accuracy(IReadOnlyList<int> gold, IReadOnlyList<int> predicted)
    {
        CheckPairs(gold, predicted);
        int right = 0;
        for (int i = 0; i < gold.Count; i++)
            if (gold[i] == predicted[i])
                right++;
        return (double)right / gold.Count;
    }

    /// <summary>F1 of the positive class: 2 TP / (2 TP + FP + FN); 0 when there is neither a positive gold label nor a positive prediction.</summary>
    /// <param name="gold">Gold labels.</param>
    /// <param name="predicted">Predicted labels.</param>
    /// <param name="positive">The positive class (1 by default, as in GLUE's MRPC and QQP).</param>
    public static double F1(IReadOnlyList<int> gold, IReadOnlyList<int> predicted, int positive = 1)
    {
        CheckPairs(gold, predicted);
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < gold.Count; i++)
        {
            bool g = gold[i] == positive, p = predicted[i] == positive;
            if (g && p) tp++;
            else if (p) fp++;
            else if (g) fn++;
        }
        long denominator = 2 * tp + fp + fn;
        return denominator == 0 ? 0 : 2.0 * tp / denominator;
    }

    /// <summary>
    /// Matthews correlation coefficient, multiclass form (Gorodkin's R_K, as scikit-learn computes it); for two
    /// classes it is (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)). 0 when the denominator is 0.
    /// </summary>
    public static double MatthewsCorrelation(IReadOnlyList<int> gold, IReadOnlyList<int> predicted)
    {
        CheckPairs(gold, predicted);
        var classes = gold.Concat(predicted).Distinct().Order().ToArray();
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        int k = classes.Length;
        var confusion = new long[k, k];
        for (int i = 0; i < gold.Count; i++)
            confusion[index[gold[i]], index[predicted[i]]]++;

        // t_k: true occurrences of class k; p_k: predictions of class k; c: correct; s: samples.
        var t = new double[k];
        var p = new double[k];
        double c = 0, s = gold.Count;
        for (int a = 0; a < k; a++)
        {
            for (int b = 0; b < k; b++)
            {
                t[a] += confusion[a, b];
                p[b] += confusion[a, b];
            }
            c += confusion[a, a];
        }
        double tp = 0, pp = 0, tt = 0;
        for (int a = 0; a < k; a++)
        {
            tp += t[a] * p[a];
            pp += p[a] * p[a];
            tt += t[a] * t[a];
        }
        double denominator = Math.Sqrt((s * s - pp) * (s * s - tt));
        return denominator == 0 ? 0 : (c * s - tp) / denominator;
    }

    internal static void CheckPairs<T>(IReadOnlyList<T> gold, IReadOnlyList<T> predicted)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predicted);
        if (gold.Count != predicted.Count)
            throw new ArgumentException($"Gold and predicted lists differ in length: {gold.Count} vs {predicted.Count}.", nameof(predicted));
        if (gold.Count == 0)
            throw new ArgumentException("The lists are empty.", nameof(gold));
    }
}
