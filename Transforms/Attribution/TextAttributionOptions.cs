namespace MLNetExt.Transforms.Attribution;

/// <summary>Settings of <c>mlContext.Transforms.Text.ExplainText</c>.</summary>
public sealed class TextAttributionOptions
{
    /// <summary>The text column the explained pipeline reads (default <c>Text</c>).</summary>
    public string InputColumnName { get; set; } = "Text";

    /// <summary>The second text column of a pair model (e.g. the other sentence of an MRPC pair); null for single texts.</summary>
    public string? PairColumnName { get; set; }

    /// <summary>The explained pipeline's output to explain: a float or a vector of floats (default <c>Score</c>).</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>The column of per-word attributions written (variable-size vector of float; default <c>Attributions</c>).</summary>
    public string AttributionsColumnName { get; set; } = "Attributions";

    /// <summary>The column of the words attributed written (variable-size vector of text, first text then the second; default <c>Words</c>).</summary>
    public string WordsColumnName { get; set; } = "Words";

    /// <summary>The method and its settings (default <see cref="OcclusionOptions"/>).</summary>
    public AttributionMethodOptions Method { get; set; } = new OcclusionOptions();

    /// <summary>The output explained (default: the predicted class; for a scalar output, its value).</summary>
    public AttributionTarget Target { get; set; } = AttributionTarget.PredictedClass;

    /// <summary>
    /// How words are taken out; null (the default) means the method's own default: sampled words for ReAGent
    /// (from the unigram distribution of the text the estimator is fitted on), deletion for the others.
    /// </summary>
    public WordBaselineKind? Baseline { get; set; }

    /// <summary>The token put in place of a word with <see cref="WordBaselineKind.UnknownToken"/> (default <c>[UNK]</c>).</summary>
    public string UnknownToken { get; set; } = "[UNK]";

    /// <summary>With sampled words: words seen fewer times in the fitting data are not drawn (default 1).</summary>
    public int SamplerMinCount { get; set; } = 1;

    internal WordBaselineKind ResolvedBaseline =>
        Baseline ?? (Method is ReAgentOptions ? WordBaselineKind.SampledWord : WordBaselineKind.Remove);

    /// <summary>Checks every setting; messages quote the bad value.</summary>
    internal void Validate()
    {
        foreach ((string name, string? value) in new[] { (nameof(InputColumnName), InputColumnName), (nameof(ScoreColumnName), ScoreColumnName),
            (nameof(AttributionsColumnName), AttributionsColumnName), (nameof(WordsColumnName), WordsColumnName) })
        {
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentOutOfRangeException(name, value, $"{name} must name a column, got '{value}'.");
        }
        if (AttributionsColumnName == WordsColumnName)
            throw new ArgumentOutOfRangeException(nameof(WordsColumnName), WordsColumnName, $"The attributions and words columns must differ, both are '{WordsColumnName}'.");
        if (PairColumnName == InputColumnName)
            throw new ArgumentOutOfRangeException(nameof(PairColumnName), PairColumnName, $"The pair column must differ from the input column '{InputColumnName}'.");
        ArgumentNullException.ThrowIfNull(Method, nameof(Method));
        ArgumentNullException.ThrowIfNull(Target, nameof(Target));
        if (string.IsNullOrWhiteSpace(UnknownToken))
            throw new ArgumentOutOfRangeException(nameof(UnknownToken), UnknownToken, $"UnknownToken must be a token, got '{UnknownToken}'.");
        if (SamplerMinCount < 1)
            throw new ArgumentOutOfRangeException(nameof(SamplerMinCount), SamplerMinCount, $"SamplerMinCount must be at least 1, got {SamplerMinCount}.");
    }
}
