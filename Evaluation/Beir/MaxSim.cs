using System.Numerics.Tensors;
using MLNetExt.Evaluation.Embeddings;

namespace MLNetExt.Evaluation.Beir;

/// <summary>
/// Late-interaction scoring (ColBERT's MaxSim): the score of a query against a document is the sum, over the query's
/// vectors, of the largest dot product with any of the document's vectors. With unit vectors that is a sum of cosines.
/// </summary>
/// <remarks>
/// <see cref="Score(MultiVectorIndex, MultiVectorIndex)"/> scores every query against every document as blocked matrix
/// products (all query vectors against a block of document vectors at once), then takes each document's row maxima
/// and sums them per query. Working memory is bounded: one product of at most about 16 M floats, whatever the sizes.
/// </remarks>
public static class MaxSim
{
    /// <summary>Document vectors scored per matrix product.</summary>
    private const int BlockRows = 1024;

    /// <summary>Upper bound of one product's floats (query rows x block rows).</summary>
    private const long ProductFloats = 16L << 20;

    /// <summary>The MaxSim score of one query against one document, both <c>K x dimension</c> floats, row-major.</summary>
    /// <exception cref="ArgumentException">A length is zero or not a multiple of <paramref name="dimension"/>.</exception>
    public static float Score(ReadOnlySpan<float> query, ReadOnlySpan<float> document, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (query.Length == 0 || query.Length % dimension != 0)
            throw new ArgumentException($"The query needs at least one vector of {dimension} floats; got {query.Length} floats.", nameof(query));
        if (document.Length == 0 || document.Length % dimension != 0)
            throw new ArgumentException($"The document needs at least one vector of {dimension} floats; got {document.Length} floats.", nameof(document));
        float sum = 0;
        for (int q = 0; q < query.Length; q += dimension)
        {
            float best = float.NegativeInfinity;
            for (int d = 0; d < document.Length; d += dimension)
                best = Math.Max(best, TensorPrimitives.Dot(query.Slice(q, dimension), document.Slice(d, dimension)));
            sum += best;
        }
        return sum;
    }

    /// <summary>
    /// Scores every query of <paramref name="queries"/> against every document of <paramref name="documents"/>:
    /// <c>result[q * documents.Count + d]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The two indexes differ in dimension.</exception>
    public static float[] Score(MultiVectorIndex queries, MultiVectorIndex documents)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(documents);
        var scores = new float[(long)queries.Count * documents.Count];
        var workspace = new Workspace();
        Score(queries, documents, scores, workspace);
        return scores;
    }

    /// <summary>As <see cref="Score(MultiVectorIndex, MultiVectorIndex)"/> into <paramref name="scores"/>, reusing <paramref name="workspace"/>'s buffers.</summary>
    internal static void Score(MultiVectorIndex queries, MultiVectorIndex documents, float[] scores, Workspace workspace)
    {
        if (queries.Dimension != documents.Dimension)
            throw new ArgumentException($"Query vectors have {queries.Dimension} dimensions, document vectors {documents.Dimension}.", nameof(documents));
        int dimension = queries.Dimension;
        int nq = queries.Count, nd = documents.Count;
        if (nq == 0 || nd == 0)
            return;
        var (queryValues, queryOffset) = queries.ReadVectors(0, (int)queries.VectorCount, ref workspace.Queries);

        int docFrom = 0;
        while (docFrom < nd)
        {
            // A block of whole documents, about BlockRows vectors (at least one document).
            int vectorFrom = documents.VectorStart(docFrom);
            int docTo = docFrom + 1;
            while (docTo < nd && documents.VectorStart(docTo + 1) - vectorFrom <= BlockRows)
                docTo++;
            int rows = documents.VectorStart(docTo) - vectorFrom;
            var (docValues, docOffset) = documents.ReadVectors(vectorFrom, rows, ref workspace.Documents);

            int queryFrom = 0;
            while (queryFrom < nq)
            {
                // Whole queries whose vectors times the block's stay within ProductFloats (at least one query).
                int first = queries.VectorStart(queryFrom);
                int queryTo = queryFrom + 1;
                while (queryTo < nq && (long)(queries.VectorStart(queryTo + 1) - first) * rows <= ProductFloats)
                    queryTo++;
                int queryRows = queries.VectorStart(queryTo) - first;
                if (workspace.Product.Length < (long)queryRows * rows)
                    workspace.Product = new float[(long)queryRows * rows];
                float[] product = workspace.Product;
                DotProductMatrix.Multiply(queryValues, queryOffset + first * dimension, queryRows, docValues, docOffset, rows, dimension, product);

                for (int q = queryFrom; q < queryTo; q++)
                {
                    int qFrom = queries.VectorStart(q) - first, qTo = queries.VectorStart(q + 1) - first;
                    for (int d = docFrom; d < docTo; d++)
                    {
                        int dFrom = documents.VectorStart(d) - vectorFrom, length = documents.VectorStart(d + 1) - documents.VectorStart(d);
                        float sum = 0;
                        for (int t = qFrom; t < qTo; t++)
                            sum += TensorPrimitives.Max(product.AsSpan(t * rows + dFrom, length));
                        scores[(long)q * nd + d] = sum;
                    }
                }
                queryFrom = queryTo;
            }
            docFrom = docTo;
        }
    }

    /// <summary>Buffers reused from one scoring call to the next.</summary>
    internal sealed class Workspace
    {
        public float[] Queries = [];
        public float[] Documents = [];
        public float[] Product = [];
    }
}
