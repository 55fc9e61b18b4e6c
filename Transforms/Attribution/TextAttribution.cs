namespace MLNetExt.Transforms.Attribution;

/// <summary>The attribution of one text: a score per word, and what it cost.</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Words">The words (first text, then the second of a pair), as <see cref="TextInstance.Words"/>.</param>
/// <param name="Scores">One score per word; larger means the word supports the target more. Words beyond a method's word cap score 0.</param>
/// <param name="FirstWordCount">How many of the words belong to the first text.</param>
/// <param name="TargetIndex">The output index explained (the predicted class, the chosen class, or 0 for a score).</param>
/// <param name="TargetValue">The explained output on the unperturbed text.</param>
/// <param name="ModelCalls">Texts scored by the model (gradient methods: forward passes, each interpolation step one).</param>
/// <param name="Seconds">Wall time of the attribution.</param>
public sealed record TextAttribution(
    string Method,
    string[] Words,
    float[] Scores,
    int FirstWordCount,
    int TargetIndex,
    float TargetValue,
    long ModelCalls,
    double Seconds)
{
    /// <summary>
    /// Gradient methods: |sum of scores - (f(input) - f(baseline))|, how far the attribution is from completeness;
    /// null for methods without that property.
    /// </summary>
    public double? CompletenessGap { get; init; }

    /// <summary>Iterations run by an iterative method (ReAGent's update steps); null otherwise.</summary>
    public int? Steps { get; init; }

    /// <summary>Word indices ordered from the most to the least important (ties keep word order).</summary>
    public int[] Ranking() => Enumerable.Range(0, Scores.Length).OrderByDescending(i => Scores[i]).ThenBy(i => i).ToArray();
}
