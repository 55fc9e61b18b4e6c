using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>One training row for an in-batch retrieval loss: a query, a relevant document and hard negatives.</summary>
/// <param name="QueryId">The query's id.</param>
/// <param name="Query">The query text.</param>
/// <param name="DocumentId">The relevant document's id.</param>
/// <param name="Positive">The relevant document's text (title and text, as retrieval encodes it).</param>
/// <param name="Negatives">Texts of documents BM25 ranks high for the query that the qrels do not judge relevant.</param>
public sealed record RetrievalTrainingPair(string QueryId, string Query, string DocumentId, string Positive, IReadOnlyList<string> Negatives);

/// <summary>Options of <see cref="RetrievalTrainingPairs.Build"/>.</summary>
public sealed class RetrievalTrainingPairsOptions
{
    /// <summary>The qrels split the pairs come from. Default <c>train</c>.</summary>
    public string Split { get; init; } = "train";

    /// <summary>Hard negatives per pair, mined with BM25 (<see cref="Bm25Retriever"/>); 0 for none. Default 0.</summary>
    public int HardNegatives { get; init; }

    /// <summary>
    /// BM25 ranks skipped before negatives are taken (the very top unjudged documents are the likeliest to be relevant
    /// but unjudged, i.e. false negatives). Default 0.
    /// </summary>
    public int HardNegativeSkip { get; init; }

    /// <summary>BM25 settings of the mining (its <see cref="Bm25Options.TopK"/> is raised to what the negatives need).</summary>
    public Bm25Options Bm25 { get; init; } = new();

    /// <summary>Use the title with the text for documents, as BEIR's dense retrieval does. Default true.</summary>
    public bool IncludeTitle { get; init; } = true;
}

/// <summary>
/// Turns a BEIR folder's qrels into (query, relevant document[, hard negatives]) training rows for
/// <see cref="Losses.MultipleNegativesRankingLoss"/>: one row per judged-relevant pair (grade above 0). Hard
/// negatives are BM25's highest-ranked documents for the query that its qrels do not judge (at any grade), as
/// sentence-transformers' <c>mine_hard_negatives</c> and DPR take them; when BM25 ranks too few (a query sharing almost
/// no term with the corpus), the rest are unjudged documents drawn at random, seeded by the query id.
/// </summary>
public static class RetrievalTrainingPairs
{
    /// <summary>Reads the folder's split and builds the rows, in qrels order of queries.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count or skip.</exception>
    public static IReadOnlyList<RetrievalTrainingPair> Build(string beirFolder, RetrievalTrainingPairsOptions? options = null,
        IProgress<EncodingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(beirFolder);
        options ??= new RetrievalTrainingPairsOptions();
        return Build(BeirReader.Load(beirFolder, options.Split), options, progress, cancellationToken);
    }

    /// <summary>Builds the rows of a loaded split.</summary>
    public static IReadOnlyList<RetrievalTrainingPair> Build(BeirDataset dataset, RetrievalTrainingPairsOptions? options = null,
        IProgress<EncodingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new RetrievalTrainingPairsOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.HardNegatives, nameof(options.HardNegatives));
        ArgumentOutOfRangeException.ThrowIfNegative(options.HardNegativeSkip, nameof(options.HardNegativeSkip));
        int largestJudged = dataset.Queries.Max(q => dataset.Qrels.For(q.Id)!.Count);
        if (options.HardNegatives > 0 && dataset.Corpus.Count - largestJudged < options.HardNegatives)
            throw new ArgumentOutOfRangeException(nameof(options), options.HardNegatives,
                $"The corpus of {dataset.Name} has too few unjudged documents for {options.HardNegatives} hard negatives per query.");

        var documents = dataset.Corpus.ToDictionary(d => d.Id, StringComparer.Ordinal);
        string Text(BeirDocument d) => options.IncludeTitle ? d.TitleAndText : d.Text;
        RankingRun? bm25 = null;
        if (options.HardNegatives > 0)
        {
            Bm25Options o = options.Bm25;
            int depth = Math.Max(o.TopK, options.HardNegativeSkip + options.HardNegatives + 50); // room for the relevant ones
            bm25 = Bm25Retriever.Retrieve(dataset, new Bm25Options { K1 = o.K1, B = o.B, TopK = depth, IncludeTitle = o.IncludeTitle, SkipIdenticalIds = o.SkipIdenticalIds },
                progress, cancellationToken);
        }

        var rows = new List<RetrievalTrainingPair>();
        foreach (BeirQuery query in dataset.Queries)
        {
            IReadOnlyDictionary<string, int> judged = dataset.Qrels.For(query.Id)!;
            string[] negatives = [];
            if (bm25 is not null)
            {
                List<string> ids = bm25.Ranked(query.Id).Select(p => p.Key).Where(id => !judged.ContainsKey(id))
                    .Skip(options.HardNegativeSkip).Take(options.HardNegatives).ToList();
                // A query sharing too few terms with the corpus: the rest are drawn from the unjudged documents (seeded by the query).
                for (var random = new Random(StableSeed(query.Id)); ids.Count < options.HardNegatives;)
                {
                    string id = dataset.Corpus[random.Next(dataset.Corpus.Count)].Id;
                    if (!judged.ContainsKey(id) && !ids.Contains(id))
                        ids.Add(id);
                }
                negatives = ids.Select(id => Text(documents[id])).ToArray();
            }
            foreach ((string documentId, int grade) in judged.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (grade <= 0 || !documents.TryGetValue(documentId, out BeirDocument? document))
                    continue; // unjudged-relevant or absent from the corpus: nothing to learn from
                rows.Add(new RetrievalTrainingPair(query.Id, query.Text, documentId, Text(document), negatives));
            }
        }
        if (rows.Count == 0)
            throw new ArgumentException($"The '{dataset.Split}' qrels of {dataset.Name} give no (query, relevant document) pair found in the corpus.", nameof(dataset));
        return rows;
    }

    private static int StableSeed(string text)
    {
        int hash = 17;
        foreach (char c in text)
            hash = unchecked(hash * 31 + c);
        return hash;
    }
}
