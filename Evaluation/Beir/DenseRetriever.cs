using System.Numerics.Tensors;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.Evaluation.Beir;

/// <summary>
/// Exact dense retrieval: encodes the queries, then streams the corpus through the encoder once and keeps, for
/// each query, the top k documents in a bounded heap. Memory is the query embeddings plus k entries per query;
/// corpus embeddings are scored as they come and never stored, and no corpus x queries matrix is built.
/// </summary>
public static class DenseRetriever
{
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
        float[][] queryVectors = embedder.EmbedAll(queries.Select(q => options.QueryPrefix + q.Text).ToList(), "queries", progress, cancellationToken);
        if (cosine)
            foreach (var v in queryVectors)
                VectorSimilarity.Normalize(v);

        var heaps = queries.Select(_ => new TopKHeap<int>(options.TopK, i => corpus[i].Id)).ToArray();
        var documentTexts = new DocumentTexts(corpus, options);
        float[] doc = [];
        embedder.Embed(documentTexts, (index, embedding) =>
        {
            if (doc.Length != embedding.Length)
                doc = new float[embedding.Length];
            embedding.CopyTo(doc);
            if (cosine)
                VectorSimilarity.Normalize(doc);
            string docId = corpus[index].Id;
            for (int q = 0; q < queryVectors.Length; q++)
            {
                if (queryVectors[q].Length != doc.Length)
                    throw new InvalidOperationException($"Query embeddings have {queryVectors[q].Length} dimensions, document '{docId}' has {doc.Length}.");
                if (options.SkipIdenticalIds && string.Equals(queries[q].Id, docId, StringComparison.Ordinal))
                    continue;
                heaps[q].Offer(index, TensorPrimitives.Dot(queryVectors[q], doc));
            }
        }, "corpus", progress, cancellationToken);

        var run = new RankingRun();
        for (int q = 0; q < queries.Count; q++)
        {
            run.AddQuery(queries[q].Id);
            foreach (var (index, score) in heaps[q].ToSortedList())
                run.Add(queries[q].Id, corpus[index].Id, score);
        }
        return run;
    }

    /// <summary>The corpus texts, built on demand so that no second copy of the corpus is held.</summary>
    private sealed class DocumentTexts(IReadOnlyList<BeirDocument> corpus, DenseRetrievalOptions options) : IReadOnlyList<string>
    {
        public string this[int index] => options.DocumentPrefix + (options.IncludeTitle ? corpus[index].TitleAndText : corpus[index].Text);

        public int Count => corpus.Count;

        public IEnumerator<string> GetEnumerator()
        {
            for (int i = 0; i < corpus.Count; i++)
                yield return this[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
