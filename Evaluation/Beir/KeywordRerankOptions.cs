using System.Globalization;

namespace MLNetExt.Evaluation.Beir;

/// <summary>Options of <see cref="KeywordReranker"/>.</summary>
public sealed class KeywordRerankOptions
{
    /// <summary>Boost (the default) or filter.</summary>
    public KeywordRerankMode Mode { get; init; } = KeywordRerankMode.Boost;

    /// <summary>
    /// Boost size as a fraction of each query's score range (its best minus its worst retrieved score), so that one value
    /// suits cosine and BM25 scores alike: a document holding every keyword rises by <c>Weight x range</c>. Default 0.1.
    /// </summary>
    public double Weight { get; init; } = 0.1;

    /// <summary>With <see cref="KeywordRerankMode.Filter"/>: whether a document needs all of the query's keywords (the default) or any.</summary>
    public KeywordMatch Match { get; init; } = KeywordMatch.All;

    /// <summary>Match keywords in title + " " + text (the default) or in the text only.</summary>
    public bool IncludeTitle { get; init; } = true;

    /// <summary>A short description for reports, e.g. "keyword boost 0.1" or "keyword filter (all)".</summary>
    public string Describe() => Mode == KeywordRerankMode.Boost
        ? string.Create(CultureInfo.InvariantCulture, $"keyword boost {Weight:0.###}")
        : $"keyword filter ({Match.ToString().ToLowerInvariant()})";

    internal KeywordRerankOptions Validated()
    {
        if (!Enum.IsDefined(Mode))
            throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "Expected Boost or Filter.");
        if (!Enum.IsDefined(Match))
            throw new ArgumentOutOfRangeException(nameof(Match), Match, "Expected All or Any.");
        if (!double.IsFinite(Weight) || Weight < 0)
            throw new ArgumentOutOfRangeException(nameof(Weight), Weight, "The keyword weight must be a finite number >= 0.");
        return this;
    }
}
