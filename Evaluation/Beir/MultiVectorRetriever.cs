using System.Diagnostics;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.Evaluation.Beir;

/// <summary>
/// Exact late-interaction retrieval (MaxSim): encodes the queries' and the corpus's token states once, turns them into
/// each <see cref="MultiVectorVariant"/>'s vectors, and scores the corpus a block of documents at a time against all
/// queries (<see cref="MaxSim"/>), keeping each query's top k in a bounded heap.
/// </summary>
/// <remarks>
/// Memory is the query vectors, one block of documents per variant (<see cref="MultiVectorRetrievalOptions.BlockDocuments"/>)
/// and k entries per query and variant: a block is dropped once scored, so the corpus is never held. What a kept index
/// would take is counted as it streams (<see cref="MultiVectorRetrievalResult.StoredBytes"/>).
/// </remarks>
public static class MultiVectorRetriever
{
    /// <summary>Retrieves the top documents of every query of the dataset, once per variant, from one encoding pass.</summary>
    /// <param name="dataset">The BEIR split.</param>
    /// <param name="encoder">An encoder whose output column holds each text's token states, <c>tokens x dimension</c> floats (e.g.
    /// <c>EncodeText</c>'s token-embeddings column, or <c>CompressContext</c>'s vectors column).</param>
    /// <param name="dimension">Floats per token state.</param>
    /// <param name="variants">The systems to score (at least one).</param>
    /// <param name="options">Retrieval options; BEIR's by default.</param>
    /// <param name="progress">Receives progress for the "queries" and "corpus" stages.</param>
    /// <param name="cancellationToken">Stops the encoding.</param>
    /// <returns>One result per variant, in order.</returns>
    /// <exception cref="InvalidOperationException">A token-state vector is not a whole number of <paramref name="dimension"/>-float rows,
    /// or a variant returns no vector or vectors of another width.</exception>
    public static IReadOnlyList<MultiVectorRetrievalResult> Retrieve(BeirDataset dataset, ITextEmbedder encoder, int dimension,
        IReadOnlyList<MultiVectorVariant> variants, MultiVectorRetrievalOptions? options = null,
        IProgress<EncodingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(variants);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (variants.Count == 0)
            throw new ArgumentException("Give at least one variant to score.", nameof(variants));
        options ??= new MultiVectorRetrievalOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.TopK);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BlockDocuments);

        var queries = dataset.Queries;
        var corpus = dataset.Corpus;
        var queryIndexes = variants.Select(v => new MultiVectorIndex(v.Dimension ?? dimension)).ToArray();
        encoder.Embed(queries.Select(q => options.QueryPrefix + q.Text).ToList(), (index, tokens) =>
        {
            for (int v = 0; v < variants.Count; v++)
                queryIndexes[v].Add(Map(variants[v], variants[v].QueryVectors, tokens, dimension, $"query '{queries[index].Id}'"));
        }, "queries", progress, cancellationToken);

        var systems = variants.Select((variant, v) => new VariantState(variant, queryIndexes[v], variant.Dimension ?? dimension, options.TopK, queries, corpus, options)).ToArray();
        var texts = new BeirDocumentTexts(corpus, options.DocumentPrefix, options.IncludeTitle);
        encoder.Embed(texts, (index, tokens) =>
        {
            foreach (VariantState system in systems)
            {
                system.Add(index, Map(system.Variant, system.Variant.DocumentVectors, tokens, dimension, $"document '{corpus[index].Id}'"));
                if (system.Block.Count == options.BlockDocuments)
                    system.ScoreBlock();
            }
        }, "corpus", progress, cancellationToken);

        return systems.Select(system =>
        {
            system.ScoreBlock();
            return system.Result();
        }).ToArray();
    }

    private static float[] Map(MultiVectorVariant variant, TokenVectorMapper mapper, ReadOnlySpan<float> tokens, int dimension, string what)
    {
        if (tokens.Length == 0 || tokens.Length % dimension != 0)
            throw new InvalidOperationException($"The encoder gave {what} {tokens.Length} floats, not a whole number of {dimension}-float token states.");
        float[] vectors = mapper(tokens, dimension);
        int width = variant.Dimension ?? dimension;
        if (vectors is null || vectors.Length == 0 || vectors.Length % width != 0)
            throw new InvalidOperationException($"Variant '{variant.Name}' gave {what} {vectors?.Length ?? 0} floats, not one or more vectors of {width}.");
        return vectors;
    }

    /// <summary>One variant's block of documents, top-k heaps and counters.</summary>
    private sealed class VariantState
    {
        private readonly MultiVectorIndex _queries;
        private readonly RetrievalTopK _topK;
        private readonly List<int> _blockDocuments = new();
        private readonly MaxSim.Workspace _workspace = new();
        private readonly Stopwatch _scoring = new();
        private float[] _scores = [];
        private long _vectors;
        private long _bytes;
        private int _documents;

        public VariantState(MultiVectorVariant variant, MultiVectorIndex queries, int dimension, int topK,
            IReadOnlyList<BeirQuery> queryList, IReadOnlyList<BeirDocument> corpus, MultiVectorRetrievalOptions options)
        {
            Variant = variant;
            _queries = queries;
            Block = new MultiVectorIndex(dimension, variant.Precision);
            _topK = new RetrievalTopK(queryList, corpus, topK, options.SkipIdenticalIds);
        }

        public MultiVectorVariant Variant { get; }

        public MultiVectorIndex Block { get; }

        public void Add(int document, float[] vectors)
        {
            Block.Add(vectors);
            _blockDocuments.Add(document);
        }

        public void ScoreBlock()
        {
            int count = Block.Count;
            if (count == 0)
                return;
            _vectors += Block.VectorCount;
            _bytes += Block.StoredBytes;
            _documents += count;
            _scoring.Start();
            if (_scores.Length < _queries.Count * count)
                _scores = new float[_queries.Count * count];
            MaxSim.Score(_queries, Block, _scores, _workspace);
            _topK.Offer(_scores, _blockDocuments, count);
            _scoring.Stop();
            Block.Clear();
            _blockDocuments.Clear();
        }

        public MultiVectorRetrievalResult Result()
        {
            return new MultiVectorRetrievalResult(Variant.Name, _topK.ToRun(), Variant.Precision, _documents, _vectors, _bytes,
                _queries.Count, _queries.VectorCount, _scoring.Elapsed);
        }
    }
}
