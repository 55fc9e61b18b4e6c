using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.Evaluation.Beir;

/// <summary>
/// Exact dense retrieval: encodes the queries, then streams the corpus through the encoder once and keeps, for
/// each query, the top k documents in a bounded heap. Memory is the query embeddings, k entries per query and one
/// block of 256 document embeddings: each block is scored against all queries as one matrix product, then dropped; no
/// corpus x queries matrix is built.
/// </summary>
public static class DenseRetriever
{
    /// <summary>Documents scored per matrix product.</summary>
    private const int BlockDocuments = 256;

    /// <summary>Retrieves the top documents of every query of the dataset.</summary>
    /// <param name="dataset">The BEIR split.</param>
    /// <param name="embedder">The encoder.</param>
    /// <param name="options">Retrieval options; BEIR's by default.</param>
    /// <param name="progress">Receives progress for the "queries" and "corpus" stages.</param>
    /// <param name="cancellationToken">Stops the encoding.</param>
    public static RankingRun Retrieve(BeirDataset dataset, ITextEmbedder embedder, DenseRetrievalOptions? options = null,
        IProgress<EncodingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(embedder);
        options ??= new DenseRetrievalOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.TopK);
        bool cosine = options.Similarity switch
        {
            SimilarityFunction.Cosine => true,
            SimilarityFunction.Dot => false,
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Similarity, "Dense retrieval scores by Cosine or Dot."),
        };

        var queries = dataset.Queries;
        var corpus = dataset.Corpus;
        if (queries.Count == 0)
            return new RankingRun();
        float[][] queryVectors = embedder.EmbedAll(queries.Select(q => options.QueryPrefix + q.Text).ToList(), "queries", progress, cancellationToken);
        if (cosine)
            foreach (var v in queryVectors)
                VectorSimilarity.Normalize(v);

        int dimension = queryVectors[0].Length;
        var queryMatrix = new float[queryVectors.Length * dimension];
        for (int q = 0; q < queryVectors.Length; q++)
        {
            if (queryVectors[q].Length != dimension)
                throw new InvalidOperationException($"Query embeddings differ in length: {queryVectors[q].Length} vs {dimension}.");
            queryVectors[q].CopyTo(queryMatrix, q * dimension);
        }

        var topK = new RetrievalTopK(queries, corpus, options.TopK, options.SkipIdenticalIds);
        var documentTexts = new BeirDocumentTexts(corpus, options.DocumentPrefix, options.IncludeTitle);
        // Documents are scored a block at a time: all queries against the block as one matrix product.
        var block = new float[BlockDocuments * dimension];
        var blockIndex = new int[BlockDocuments];
        var scores = new float[queryVectors.Length * BlockDocuments];
        int filled = 0;
        void ScoreBlock()
        {
            DotProductMatrix.Multiply(queryMatrix, queryVectors.Length, block, filled, dimension, scores);
            topK.Offer(scores, blockIndex, filled);
            filled = 0;
        }
        embedder.Embed(documentTexts, (index, embedding) =>
        {
            if (embedding.Length != dimension)
                throw new InvalidOperationException($"Query embeddings have {dimension} dimensions, document '{corpus[index].Id}' has {embedding.Length}.");
            Span<float> doc = block.AsSpan(filled * dimension, dimension);
            embedding.CopyTo(doc);
            if (cosine)
                VectorSimilarity.Normalize(doc);
            blockIndex[filled++] = index;
            if (filled == BlockDocuments)
                ScoreBlock();
        }, "corpus", progress, cancellationToken);
        if (filled > 0)
            ScoreBlock();

        return topK.ToRun();
    }
}
