using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.Evaluation.Beir;

/// <summary>The run of one <see cref="MultiVectorVariant"/> and what its index costs.</summary>
public sealed class MultiVectorRetrievalResult
{
    internal MultiVectorRetrievalResult(string name, RankingRun run, MultiVectorPrecision precision, int documents, long vectors,
        long storedBytes, int queries, long queryVectors, TimeSpan scoringTime)
    {
        Name = name;
        Run = run;
        Precision = precision;
        Documents = documents;
        Vectors = vectors;
        StoredBytes = storedBytes;
        Queries = queries;
        QueryVectors = queryVectors;
        ScoringTime = scoringTime;
    }

    /// <summary>The variant's name.</summary>
    public string Name { get; }

    /// <summary>The top documents of every query.</summary>
    public RankingRun Run { get; }

    /// <summary>How document vectors were stored.</summary>
    public MultiVectorPrecision Precision { get; }

    /// <summary>Documents indexed.</summary>
    public int Documents { get; }

    /// <summary>Document vectors, all documents together.</summary>
    public long Vectors { get; }

    /// <summary>Bytes of document vectors the whole corpus needs (see <see cref="MultiVectorIndex.StoredBytes"/>).</summary>
    public long StoredBytes { get; }

    /// <summary>Queries scored.</summary>
    public int Queries { get; }

    /// <summary>Query vectors, all queries together.</summary>
    public long QueryVectors { get; }

    /// <summary>Time spent scoring (MaxSim over the whole corpus and top-k upkeep), encoding excluded.</summary>
    public TimeSpan ScoringTime { get; }

    /// <summary>Mean vectors per document.</summary>
    public double VectorsPerDocument => Documents == 0 ? 0 : (double)Vectors / Documents;

    /// <summary>Mean stored bytes per document.</summary>
    public double BytesPerDocument => Documents == 0 ? 0 : (double)StoredBytes / Documents;

    /// <summary>Queries scored against the whole corpus per second of <see cref="ScoringTime"/> (all queries in one batch).</summary>
    public double QueriesPerSecond => ScoringTime <= TimeSpan.Zero ? 0 : Queries / ScoringTime.TotalSeconds;
}
