using MLNetExt.Transforms.Attribution;

namespace MLNetExt.Evaluation.Faithfulness;

/// <summary>Faithfulness of one method over a set of texts (means over the texts).</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Texts">Texts measured.</param>
/// <param name="Comprehensiveness">Mean comprehensiveness at each level (higher is more faithful).</param>
/// <param name="Sufficiency">Mean sufficiency at each level (lower is more faithful).</param>
/// <param name="AopcComprehensiveness">Mean over levels of <paramref name="Comprehensiveness"/>: the primary metric.</param>
/// <param name="AopcSufficiency">Mean over levels of <paramref name="Sufficiency"/>.</param>
/// <param name="NormalizedAopcComprehensiveness">AOPC of Carton et al.'s normalised comprehensiveness (texts where the empty text keeps the output are left out).</param>
/// <param name="NormalizedAopcSufficiency">AOPC of Carton et al.'s normalised sufficiency (higher is better).</param>
/// <param name="ModelCallsPerText">Mean model calls the method spent per text (the metrics' own calls not counted).</param>
/// <param name="SecondsPerText">Mean wall time of the method per text.</param>
/// <param name="CompletenessGap">Mean completeness gap of gradient methods; null for the others.</param>
public sealed record MethodFaithfulness(
    string Method,
    int Texts,
    double[] Comprehensiveness,
    double[] Sufficiency,
    double AopcComprehensiveness,
    double AopcSufficiency,
    double NormalizedAopcComprehensiveness,
    double NormalizedAopcSufficiency,
    double ModelCallsPerText,
    double SecondsPerText,
    double? CompletenessGap);

/// <summary>The faithfulness of several methods on the same texts; the primary metric is AOPC comprehensiveness.</summary>
/// <param name="Levels">The removal levels (fractions of the words).</param>
/// <param name="Texts">Texts measured.</param>
/// <param name="SkippedTexts">Texts left out because they have no words.</param>
/// <param name="Methods">One entry per method, in the order given.</param>
/// <param name="Attributions">Every attribution, per method name, in text order (for agreement checks and reports).</param>
public sealed record FaithfulnessResult(
    IReadOnlyList<double> Levels,
    int Texts,
    int SkippedTexts,
    IReadOnlyList<MethodFaithfulness> Methods,
    IReadOnlyDictionary<string, IReadOnlyList<TextAttribution>> Attributions)
{
    /// <summary>The name of the primary metric.</summary>
    public const string PrimaryMetric = "aopc_comprehensiveness";

    /// <summary>The entry of <paramref name="method"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such method was evaluated.</exception>
    public MethodFaithfulness this[string method] =>
        Methods.FirstOrDefault(m => m.Method == method) ?? throw new KeyNotFoundException($"No method '{method}' was evaluated (methods: {string.Join(", ", Methods.Select(m => m.Method))}).");
}
