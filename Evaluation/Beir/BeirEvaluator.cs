using System.Diagnostics;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.Evaluation.Beir;

/// <summary>
/// Evaluates retrieval systems on a BEIR split the way BEIR does: exact top-k retrieval (dense, from any ML.NET
/// encoder, or BM25), then trec_eval measures at BEIR's cut-offs with the query's own id dropped.
/// </summary>
public static class BeirEvaluator
{
    /// <summary>Dense retrieval with an ML.NET encoder, then evaluation.</summary>
    /// <param name="dataset">The split.</param>
    /// <param name="embedder">The encoder.</param>
    /// <param name="systemName">Name shown in reports (e.g. the model name).</param>
    /// <param name="retrieval">Retrieval options (top k is raised to the largest cut-off when smaller).</param>
    /// <param name="evaluation">Evaluation options (cut-offs; BEIR's by default).</param>
    /// <param name="progress">Encoding progress.</param>
    /// <param name="cancellationToken">Stops the encoding.</param>
    public static BeirResult EvaluateDense(BeirDataset dataset, ITextEmbedder embedder, string systemName,
        DenseRetrievalOptions? retrieval = null, RankingEvaluatorOptions? evaluation = null,
        IProgress<EncodingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        evaluation ??= new RankingEvaluatorOptions();
        retrieval ??= new DenseRetrievalOptions();
        int depth = Math.Max(retrieval.TopK, evaluation.Cutoffs.Max());
        var watch = Stopwatch.StartNew();
        var run = DenseRetriever.Retrieve(dataset, embedder, new DenseRetrievalOptions
        {
            TopK = depth,
            Similarity = retrieval.Similarity,
            QueryPrefix = retrieval.QueryPrefix,
            DocumentPrefix = retrieval.DocumentPrefix,
            IncludeTitle = retrieval.IncludeTitle,
            SkipIdenticalIds = retrieval.SkipIdenticalIds,
        }, progress, cancellationToken);
        return Score(dataset, systemName, run, evaluation, watch.Elapsed);
    }

    /// <summary>BM25 retrieval (Lucene.Net), then evaluation.</summary>
    public static BeirResult EvaluateBm25(BeirDataset dataset, Bm25Options? retrieval = null, RankingEvaluatorOptions? evaluation = null,
        IProgress<EncodingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        evaluation ??= new RankingEvaluatorOptions();
        retrieval ??= new Bm25Options();
        var watch = Stopwatch.StartNew();
        var options = new Bm25Options
        {
            K1 = retrieval.K1,
            B = retrieval.B,
            TopK = Math.Max(retrieval.TopK, evaluation.Cutoffs.Max()),
            IncludeTitle = retrieval.IncludeTitle,
            SkipIdenticalIds = retrieval.SkipIdenticalIds,
        };
        var run = Bm25Retriever.Retrieve(dataset, options, progress, cancellationToken);
        string name = FormattableString.Invariant($"BM25 (Lucene.Net EnglishAnalyzer, k1={options.K1}, b={options.B}, {(options.IncludeTitle ? "flat title+text" : "text only")})");
        return Score(dataset, name, run, evaluation, watch.Elapsed);
    }

    /// <summary>Evaluates a run produced elsewhere against the split's qrels.</summary>
    public static BeirResult Score(BeirDataset dataset, string systemName, RankingRun run, RankingEvaluatorOptions? evaluation = null, TimeSpan elapsed = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(run);
        var metrics = RankingEvaluator.Evaluate(dataset.Qrels, run, evaluation);
        return new BeirResult(dataset.Name, dataset.Split, systemName, metrics, elapsed, dataset.Corpus.Count, dataset.Queries.Count,
            dataset.QrelsDocumentsMissingFromCorpus.Count, dataset.QrelsQueriesMissingFromQueries.Count) { Run = run };
    }
}
