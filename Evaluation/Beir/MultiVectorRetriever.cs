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
/// Memory is the query vectors, one block of documents' token states (<see cref="MultiVectorRetrievalOptions.BlockDocuments"/>),
/// their vectors per variant and k entries per query and variant: a block is dropped once scored, so the corpus is never
/// held. A variant with a batch mapper (<see cref="MultiVectorVariant.DocumentBatchVectors"/>) maps each block in one call. What a kept index
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
        var queryBatch = new TokenStateBatch(dimension, options.BlockDocuments, (indexes, states) =>
        {
            for (int v = 0; v < variants.Count; v++)
                foreach (float[] vectors in Map(variants[v], variants[v].QueryVectors, variants[v].QueryBatchVectors, states, dimension, i => $"query '{queries[indexes[i]].Id}'"))
                    queryIndexes[v].Add(vectors);
        });
        encoder.Embed(queries.Select(q => options.QueryPrefix + q.Text).ToList(), (index, tokens) => queryBatch.Add(index, tokens, () => $"query '{queries[index].Id}'"),
            "queries", progress, cancellationToken);
        queryBatch.Flush();

        var systems = variants.Select((variant, v) => new VariantState(variant, queryIndexes[v], variant.Dimension ?? dimension, options.TopK, queries, corpus, options)).ToArray();
        var texts = new BeirDocumentTexts(corpus, options.DocumentPrefix, options.IncludeTitle);
        // One block of documents' token states is held, mapped by every variant (a batch mapper in one call), scored and dropped.
        var documentBatch = new TokenStateBatch(dimension, options.BlockDocuments, (indexes, states) =>
        {
            foreach (VariantState system in systems)
            {
                MultiVectorVariant variant = system.Variant;
                float[][] vectors = Map(variant, variant.DocumentVectors, variant.DocumentBatchVectors, states, dimension, i => $"document '{corpus[indexes[i]].Id}'");
                for (int i = 0; i < vectors.Length; i++)
                    system.Add(indexes[i], vectors[i]);
                system.ScoreBlock();
            }
        });
        encoder.Embed(texts, (index, tokens) => documentBatch.Add(index, tokens, () => $"document '{corpus[index].Id}'"), "corpus", progress, cancellationToken);
        documentBatch.Flush();

        return systems.Select(system => system.Result()).ToArray();
    }

    private static float[][] Map(MultiVectorVariant variant, TokenVectorMapper mapper, TokenBatchVectorMapper? batchMapper,
        IReadOnlyList<ReadOnlyMemory<float>> states, int dimension, Func<int, string> what)
    {
        float[][] vectors = batchMapper is null
            ? states.Select(s => mapper(s.Span, dimension)).ToArray()
            : batchMapper(states, dimension);
        if (vectors is null || vectors.Length != states.Count)
            throw new InvalidOperationException($"Variant '{variant.Name}' mapped {states.Count} texts to {vectors?.Length ?? 0} results.");
        int width = variant.Dimension ?? dimension;
        for (int i = 0; i < vectors.Length; i++)
            if (vectors[i] is null || vectors[i].Length == 0 || vectors[i].Length % width != 0)
                throw new InvalidOperationException($"Variant '{variant.Name}' gave {what(i)} {vectors[i]?.Length ?? 0} floats, not one or more vectors of {width}.");
        return vectors;
    }

    /// <summary>Copies of up to <c>capacity</c> texts' token states, handed on (and dropped) when full and at the end.</summary>
    private sealed class TokenStateBatch(int dimension, int capacity, Action<IReadOnlyList<int>, IReadOnlyList<ReadOnlyMemory<float>>> flush)
    {
        private readonly List<int> _indexes = new(capacity);
        private readonly List<ReadOnlyMemory<float>> _states = new(capacity);

        public void Add(int index, ReadOnlySpan<float> tokens, Func<string> what)
        {
            if (tokens.Length == 0 || tokens.Length % dimension != 0)
                throw new InvalidOperationException($"The encoder gave {what()} {tokens.Length} floats, not a whole number of {dimension}-float token states.");
            _indexes.Add(index);
            _states.Add(tokens.ToArray());
            if (_indexes.Count == capacity)
                Flush();
        }

        public void Flush()
        {
            if (_indexes.Count == 0)
                return;
            flush(_indexes, _states);
            _indexes.Clear();
            _states.Clear();
        }
    }

    /// <summary>One variant's block of documents, top-k heaps and counters.</summary>
    private sealed class VariantState
    {
        private readonly MultiVectorIndex _queries;
        private readonly MultiVectorIndex _block;
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
            _block = new MultiVectorIndex(dimension, variant.Precision);
            _topK = new RetrievalTopK(queryList, corpus, topK, options.SkipIdenticalIds);
        }

        public MultiVectorVariant Variant { get; }

        public void Add(int document, float[] vectors)
        {
            _block.Add(vectors);
            _blockDocuments.Add(document);
        }

        public void ScoreBlock()
        {
            int count = _block.Count;
            if (count == 0)
                return;
            _vectors += _block.VectorCount;
            _bytes += _block.StoredBytes;
            _documents += count;
            _scoring.Start();
            if (_scores.Length < _queries.Count * count)
                _scores = new float[_queries.Count * count];
            MaxSim.Score(_queries, _block, _scores, _workspace);
            _topK.Offer(_scores, _blockDocuments, count);
            _scoring.Stop();
            _block.Clear();
            _blockDocuments.Clear();
        }

        public MultiVectorRetrievalResult Result()
        {
            return new MultiVectorRetrievalResult(Variant.Name, _topK.ToRun(), Variant.Precision, _documents, _vectors, _bytes,
                _queries.Count, _queries.VectorCount, _scoring.Elapsed);
        }
    }
}
