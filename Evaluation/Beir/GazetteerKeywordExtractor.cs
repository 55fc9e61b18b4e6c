namespace MLNetExt.Evaluation.Beir;

/// <summary>
/// Keywords from a fixed list of phrases (a gazetteer: colours, makes, place names): a query's keywords are the listed
/// phrases it contains as whole words, compared without regard to case or accents. A phrase found inside a longer
/// listed phrase of the same query ("york" in "new york") is not reported on its own.
/// </summary>
public sealed class GazetteerKeywordExtractor : IQueryKeywordExtractor
{
    private readonly (string Phrase, string Form)[] _phrases;

    /// <summary>Creates the extractor.</summary>
    /// <param name="phrases">The phrases; blank ones and repeats (same matching form) are dropped.</param>
    /// <exception cref="ArgumentException">No phrase has a letter or digit.</exception>
    public GazetteerKeywordExtractor(IEnumerable<string> phrases)
    {
        ArgumentNullException.ThrowIfNull(phrases);
        _phrases = phrases
            .Where(p => p is not null)
            .Select(p => (Phrase: p.Trim(), Form: KeywordText.Normalize(p)))
            .Where(p => !KeywordText.IsEmpty(p.Form))
            .DistinctBy(p => p.Form, StringComparer.Ordinal)
            .OrderByDescending(p => p.Form.Length)
            .ToArray();
        if (_phrases.Length == 0)
            throw new ArgumentException("The gazetteer holds no phrase with a letter or digit.", nameof(phrases));
    }

    /// <summary>Number of distinct phrases.</summary>
    public int Count => _phrases.Length;

    /// <inheritdoc/>
    public IReadOnlyList<string>[] ExtractKeywords(IReadOnlyList<string> queries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var result = new IReadOnlyList<string>[queries.Count];
        for (int q = 0; q < queries.Count; q++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string query = KeywordText.Normalize(queries[q] ?? throw new ArgumentNullException(nameof(queries), $"Query {q} is null."));
            var found = new List<(string Phrase, string Form)>();
            // Longest phrases first, so a phrase inside one already found is recognised and left out.
            foreach (var phrase in _phrases)
            {
                if (KeywordText.Contains(query, phrase.Form) && !found.Any(f => f.Form.Contains(phrase.Form, StringComparison.Ordinal)))
                    found.Add(phrase);
            }
            result[q] = found.Select(f => f.Phrase).ToArray();
        }
        return result;
    }
}
