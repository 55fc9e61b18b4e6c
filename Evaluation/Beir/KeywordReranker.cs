using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.Evaluation.Beir;

/// <summary>
/// A second retrieval stage in the manner of VehicleFinder (attribute keywords pulled out of the query by a tagger
/// narrow the search): keywords come from an <see cref="IQueryKeywordExtractor"/>, and each query's first-stage list
/// (dense, BM25, late interaction, or a run read from a file) is boosted or filtered by which keywords every document
/// holds as whole words (case and accents ignored; see <see cref="KeywordRerankOptions"/>). Only documents the first
/// stage retrieved are considered; queries without keywords keep their list and scores unchanged.
/// </summary>
public static class KeywordReranker
{
    /// <summary>
    /// The keywords of every query, by query id: the extractor's output with blank entries and repeats (same words once
    /// case and accents are ignored) dropped.
    /// </summary>
    /// <exception cref="InvalidOperationException">The extractor returned a different number of lists than queries.</exception>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ExtractKeywords(IReadOnlyList<BeirQuery> queries, IQueryKeywordExtractor extractor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(extractor);
        IReadOnlyList<string>[] extracted = extractor.ExtractKeywords(queries.Select(q => q.Text).ToArray(), cancellationToken);
        if (extracted is null || extracted.Length != queries.Count)
            throw new InvalidOperationException($"The keyword extractor returned {extracted?.Length ?? 0} keyword lists for {queries.Count} queries.");
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        for (int q = 0; q < queries.Count; q++)
        {
            result[queries[q].Id] = (extracted[q] ?? [])
                .Where(k => k is not null && !KeywordText.IsEmpty(KeywordText.Normalize(k)))
                .Select(k => k.Trim())
                .DistinctBy(KeywordText.Normalize, StringComparer.Ordinal)
                .ToArray();
        }
        return result;
    }

    /// <summary>Extracts the keywords of the dataset's queries and re-ranks <paramref name="firstStage"/> with them.</summary>
    public static KeywordRerankResult Rerank(BeirDataset dataset, RankingRun firstStage, IQueryKeywordExtractor extractor,
        KeywordRerankOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Rerank(dataset.Corpus, firstStage, ExtractKeywords(dataset.Queries, extractor, cancellationToken), options, cancellationToken);
    }

    /// <summary>Re-ranks <paramref name="firstStage"/> with keywords already extracted (so that several runs or settings share one extraction).</summary>
    /// <param name="corpus">The documents the run's ids point into.</param>
    /// <param name="firstStage">The first stage's run; it is not changed.</param>
    /// <param name="keywords">Keywords by query id (e.g. from <see cref="ExtractKeywords"/>); a query not listed has none.</param>
    /// <param name="options">Boost or filter; boost by 0.1 of the score range by default.</param>
    /// <param name="cancellationToken">Stops the re-ranking between queries.</param>
    /// <exception cref="ArgumentException">The run names a document that is not in the corpus.</exception>
    public static KeywordRerankResult Rerank(IReadOnlyList<BeirDocument> corpus, RankingRun firstStage, IReadOnlyDictionary<string, IReadOnlyList<string>> keywords,
        KeywordRerankOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(firstStage);
        ArgumentNullException.ThrowIfNull(keywords);
        options = (options ?? new KeywordRerankOptions()).Validated();

        var documents = new Dictionary<string, BeirDocument>(StringComparer.Ordinal);
        foreach (BeirDocument document in corpus)
            documents.TryAdd(document.Id, document);
        var forms = new Dictionary<string, string>(StringComparer.Ordinal);
        string Form(string queryId, string documentId)
        {
            if (forms.TryGetValue(documentId, out string? form))
                return form;
            if (!documents.TryGetValue(documentId, out BeirDocument? document))
                throw new ArgumentException($"The run retrieves document '{documentId}' for query '{queryId}', which is not in the corpus.", nameof(firstStage));
            return forms[documentId] = KeywordText.Normalize(options.IncludeTitle ? document.TitleAndText : document.Text);
        }

        var run = new RankingRun();
        var withKeywords = new List<string>();
        int queries = 0, changed = 0, fallbacks = 0, matched = 0, removed = 0;
        foreach (string queryId in firstStage.QueryIds)
        {
            cancellationToken.ThrowIfCancellationRequested();
            queries++;
            run.AddQuery(queryId);
            IReadOnlyDictionary<string, double> list = firstStage.For(queryId)!;
            string[] phraseForms = keywords.TryGetValue(queryId, out var given)
                ? given.Select(KeywordText.Normalize).Where(f => !KeywordText.IsEmpty(f)).Distinct(StringComparer.Ordinal).ToArray()
                : [];
            if (phraseForms.Length == 0 || list.Count == 0)
            {
                foreach (var (documentId, score) in list)
                    run.Add(queryId, documentId, score);
                continue;
            }
            withKeywords.Add(queryId);

            var fractions = new Dictionary<string, double>(list.Count, StringComparer.Ordinal);
            foreach (string documentId in list.Keys)
            {
                string form = Form(queryId, documentId);
                double fraction = (double)phraseForms.Count(p => KeywordText.Contains(form, p)) / phraseForms.Length;
                fractions[documentId] = fraction;
                if (fraction > 0)
                    matched++;
            }

            IEnumerable<KeyValuePair<string, double>> kept;
            if (options.Mode == KeywordRerankMode.Boost)
            {
                double range = list.Values.Max() - list.Values.Min();
                // A one-document list (or one where every score is equal) has no range; any positive lift then reorders by keywords.
                double scale = range > 0 ? range : 1;
                kept = list.Select(d => KeyValuePair.Create(d.Key, d.Value + options.Weight * scale * fractions[d.Key])).ToArray();
            }
            else
            {
                Func<double, bool> passes = options.Match == KeywordMatch.All ? f => f >= 1 : f => f > 0;
                var passing = list.Where(d => passes(fractions[d.Key])).ToArray();
                if (passing.Length == 0)
                {
                    fallbacks++;
                    kept = list;
                }
                else
                {
                    kept = passing;
                    removed += list.Count - passing.Length;
                }
            }
            if (!SameRanking(list, kept))
                changed++;
            foreach (var (documentId, score) in kept)
                run.Add(queryId, documentId, score);
        }
        return new KeywordRerankResult(run, queries, withKeywords, changed, fallbacks, matched, removed);
    }

    private static bool SameRanking(IEnumerable<KeyValuePair<string, double>> before, IEnumerable<KeyValuePair<string, double>> after)
    {
        static IEnumerable<string> Ranked(IEnumerable<KeyValuePair<string, double>> list)
        {
            var sorted = list.ToList();
            sorted.Sort(TrecOrder.Compare);
            return sorted.Select(d => d.Key);
        }
        return Ranked(before).SequenceEqual(Ranked(after), StringComparer.Ordinal);
    }
}
