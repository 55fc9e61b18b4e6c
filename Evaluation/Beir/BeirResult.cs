using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.Evaluation.Beir;

/// <summary>The result of one retrieval system on one BEIR split.</summary>
public sealed class BeirResult
{
    /// <summary>Creates a result.</summary>
    public BeirResult(string dataset, string split, string system, RankingMetrics metrics, TimeSpan elapsed,
        int documents, int queries, int qrelsDocumentsMissingFromCorpus, int qrelsQueriesMissingFromQueries)
    {
        Dataset = dataset;
        Split = split;
        System = system;
        Metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        Elapsed = elapsed;
        Documents = documents;
        Queries = queries;
        QrelsDocumentsMissingFromCorpus = qrelsDocumentsMissingFromCorpus;
        QrelsQueriesMissingFromQueries = qrelsQueriesMissingFromQueries;
    }

    /// <summary>The dataset name.</summary>
    public string Dataset { get; }

    /// <summary>The qrels split.</summary>
    public string Split { get; }

    /// <summary>The system: a model name, "BM25 (...)", etc.</summary>
    public string System { get; }

    /// <summary>trec_eval measures.</summary>
    public RankingMetrics Metrics { get; }

    /// <summary>Wall time of retrieval (encoding or indexing and searching).</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Corpus size.</summary>
    public int Documents { get; }

    /// <summary>Queries retrieved for.</summary>
    public int Queries { get; }

    /// <summary>Judged document ids absent from the corpus.</summary>
    public int QrelsDocumentsMissingFromCorpus { get; }

    /// <summary>Judged query ids absent from the query file.</summary>
    public int QrelsQueriesMissingFromQueries { get; }

    /// <summary>The run that was scored (to save with <see cref="TrecRunReader.Write"/>); null where the producer kept none.</summary>
    public RankingRun? Run { get; init; }

    /// <summary>For a late-interaction system, the size and scoring speed of its document vectors; null otherwise.</summary>
    public MultiVectorRetrievalResult? Index { get; init; }
}
