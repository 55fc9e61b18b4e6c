using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Ranking;

namespace MLNetExt.UnitTests.Evaluation;

[TestClass]
public sealed class LateInteractionTests
{
    private static float[] RandomMatrix(Random random, int rows, int dimension)
    {
        var values = new float[rows * dimension];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>The MaxSim definition, in double precision, one pair of vectors at a time.</summary>
    private static double BruteForceMaxSim(float[] query, float[] document, int dimension)
    {
        double sum = 0;
        for (int q = 0; q < query.Length / dimension; q++)
        {
            double best = double.NegativeInfinity;
            for (int d = 0; d < document.Length / dimension; d++)
            {
                double dot = 0;
                for (int i = 0; i < dimension; i++)
                    dot += (double)query[q * dimension + i] * document[d * dimension + i];
                best = Math.Max(best, dot);
            }
            sum += best;
        }
        return sum;
    }

    [TestMethod]
    [DataRow(37, 53, 384)]
    [DataRow(5, 3, 13)]
    [DataRow(300, 256, 385)] // large enough to run its panels in parallel; a dimension with a tail
    public void DotProductMatrix_EqualsOneDotProductAtATime(int rowsA, int rowsB, int dimension)
    {
        var random = new Random(rowsA + rowsB);
        float[] a = RandomMatrix(random, rowsA, dimension), b = RandomMatrix(random, rowsB, dimension);
        var c = new float[rowsA * rowsB];
        DotProductMatrix.Multiply(a, rowsA, b, rowsB, dimension, c);
        for (int i = 0; i < rowsA; i++)
            for (int j = 0; j < rowsB; j++)
                Assert.AreEqual(TensorPrimitives.Dot(a.AsSpan(i * dimension, dimension), b.AsSpan(j * dimension, dimension)), c[i * rowsB + j], 1e-4f, $"({i}, {j})");
    }

    [TestMethod]
    public void MaxSim_EqualsBruteForce_Float32AndInt8()
    {
        const int dimension = 24;
        var random = new Random(3);
        float[][] queries = Enumerable.Range(0, 7).Select(q => RandomMatrix(random, 1 + q % 4, dimension)).ToArray();
        float[][] documents = Enumerable.Range(0, 40).Select(d => RandomMatrix(random, 1 + d * 37 % 60, dimension)).ToArray();
        var queryIndex = new MultiVectorIndex(dimension);
        foreach (var q in queries)
            queryIndex.Add(q);
        var float32 = new MultiVectorIndex(dimension);
        var int8 = new MultiVectorIndex(dimension, MultiVectorPrecision.Int8);
        foreach (var d in documents)
        {
            float32.Add(d);
            int8.Add(d);
        }

        float[] scores = MaxSim.Score(queryIndex, float32);
        float[] quantized = MaxSim.Score(queryIndex, int8);
        for (int q = 0; q < queries.Length; q++)
        {
            for (int d = 0; d < documents.Length; d++)
            {
                double expected = BruteForceMaxSim(queries[q], documents[d], dimension);
                Assert.AreEqual(expected, scores[q * documents.Length + d], 1e-4, $"float32 q{q} d{d}");
                Assert.AreEqual(expected, MaxSim.Score(queries[q], documents[d], dimension), 1e-4, $"pair q{q} d{d}");
                // int8 scores the dequantised vectors exactly, and stays near the float32 score.
                Assert.AreEqual(BruteForceMaxSim(queries[q], int8.GetVectors(d), dimension), quantized[q * documents.Length + d], 1e-4, $"int8 q{q} d{d}");
                Assert.AreEqual(expected, quantized[q * documents.Length + d], 0.05 * queries[q].Length / dimension + 0.02, $"int8 drift q{q} d{d}");
            }
        }
    }

    [TestMethod]
    public void MultiVectorIndex_StoresContiguously_AndCountsBytes()
    {
        var index = new MultiVectorIndex(3);
        Assert.AreEqual(0, index.Add([1, 2, 3]));
        Assert.AreEqual(1, index.Add([4, 5, 6, 7, 8, 9]));
        Assert.AreEqual(2, index.Count);
        Assert.AreEqual(3L, index.VectorCount);
        Assert.AreEqual(2, index.VectorCountOf(1));
        CollectionAssert.AreEqual(new float[] { 4, 5, 6, 7, 8, 9 }, index.GetVectors(1));
        Assert.AreEqual(3L * 3 * 4, index.StoredBytes);

        var int8 = new MultiVectorIndex(3, MultiVectorPrecision.Int8);
        int8.Add([1, -2, 0.5f, 0, 0, 0]);
        Assert.AreEqual(2L * (3 + 4), int8.StoredBytes);
        float[] back = int8.GetVectors(0);
        Assert.AreEqual(-2f, back[1], 1e-6f); // the largest magnitude is exact
        Assert.AreEqual(1f, back[0], 2f / 127);
        Assert.AreEqual(0f, back[4]);

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => index.Add([1, 2])).Message, "vector of 3 floats; got 2");
        Assert.ThrowsExactly<ArgumentException>(() => index.Add([]));
        index.Clear();
        Assert.AreEqual(0, index.Count);
        Assert.AreEqual(0L, index.StoredBytes);
    }

    private sealed class TextInput
    {
        public string Text { get; set; } = "";
    }

    private sealed class TokenOutput
    {
        [VectorType]
        public float[] Tokens { get; set; } = [];
    }

    /// <summary>A fake token encoder: one hashed one-hot vector per word.</summary>
    private static ITransformer WordTokens(MLContext ml) =>
        ml.Transforms.CustomMapping<TextInput, TokenOutput>((i, o) =>
        {
            string[] words = i.Text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            o.Tokens = new float[Math.Max(words.Length, 1) * HashEmbedding.Dimension];
            for (int w = 0; w < words.Length; w++)
                o.Tokens[w * HashEmbedding.Dimension + HashEmbedding.Slot(words[w])] = 1;
        }, contractName: null).Fit(ml.Data.LoadFromEnumerable(Array.Empty<TextInput>()));

    internal static BeirDataset RandomDataset(TempFiles tmp, int documents, int queries)
    {
        var random = new Random(11);
        string[] vocabulary = Enumerable.Range(0, 60).Select(i => "w" + i).ToArray();
        string Text(int words) => string.Join(" ", Enumerable.Range(0, words).Select(_ => vocabulary[random.Next(vocabulary.Length)]));
        tmp.Write("r/corpus.jsonl", Enumerable.Range(0, documents).Select(d => $$"""{"_id": "d{{d}}", "title": "", "text": "{{Text(1 + random.Next(12))}}"}""").ToArray());
        tmp.Write("r/queries.jsonl", Enumerable.Range(0, queries).Select(q => $$"""{"_id": "q{{q}}", "text": "{{Text(1 + random.Next(4))}}"}""").ToArray());
        tmp.Write("r/qrels/test.tsv", ["query-id\tcorpus-id\tscore", .. Enumerable.Range(0, queries).Select(q => $"q{q}\td{q}\t1")]);
        return BeirReader.Load(Path.Combine(tmp.Folder, "r"));
    }

    [TestMethod]
    public void Retriever_RanksByBruteForceMaxSim_WhateverTheBlockSize()
    {
        using var tmp = new TempFiles();
        var data = RandomDataset(tmp, documents: 150, queries: 9);
        var ml = new MLContext(seed: 1);
        var encoder = new TransformerEmbedder(ml, WordTokens(ml), "Text", "Tokens");
        static float[] Identity(ReadOnlySpan<float> states, int dimension) => states.ToArray();
        var variants = new[]
        {
            new MultiVectorVariant("tokens", Identity, Identity),
            new MultiVectorVariant("tokens int8", Identity, Identity, MultiVectorPrecision.Int8),
        };

        var small = MultiVectorRetriever.Retrieve(data, encoder, HashEmbedding.Dimension, variants, new MultiVectorRetrievalOptions { TopK = 10, BlockDocuments = 7 });
        var large = MultiVectorRetriever.Retrieve(data, encoder, HashEmbedding.Dimension, variants, new MultiVectorRetrievalOptions { TopK = 10 });
        Assert.AreEqual(2, small.Count);
        foreach (var query in data.Queries)
        {
            // Expected: the count of query words found in the document (each one-hot query word's best match is 1 or 0).
            // Words are compared by hash slot, as the fake encoder sees them.
            var slots = query.Text.Split(' ').Select(HashEmbedding.Slot).ToArray();
            var expected = data.Corpus
                .Select(d => new KeyValuePair<string, double>(d.Id, slots.Count(s => d.Text.Split(' ').Select(HashEmbedding.Slot).Contains(s))))
                .ToList();
            expected.Sort(TrecOrder.Compare);
            string[] top = expected.Take(10).Select(p => p.Key).ToArray();
            foreach (var result in small.Concat(large))
            {
                var ranked = result.Run.Ranked(query.Id);
                CollectionAssert.AreEqual(top, ranked.Select(p => p.Key).ToArray(), $"{result.Name} {query.Id}");
                Assert.AreEqual(expected[0].Value, ranked[0].Value, 1e-5);
            }
        }

        long words = data.Corpus.Sum(d => (long)d.Text.Split(' ').Length);
        Assert.AreEqual(words, small[0].Vectors);
        Assert.AreEqual(words * HashEmbedding.Dimension * 4, small[0].StoredBytes);
        Assert.AreEqual(words * (HashEmbedding.Dimension + 4), small[1].StoredBytes);
        Assert.AreEqual(150, small[0].Documents);
        Assert.AreEqual(9, small[0].Queries);
    }

    [TestMethod]
    public void Dense_BlocksOfDocuments_RankAsOneQueryAtATime()
    {
        using var tmp = new TempFiles();
        var data = RandomDataset(tmp, documents: 700, queries: 12); // three blocks, the last one partial
        var ml = new MLContext(seed: 1);
        var run = DenseRetriever.Retrieve(data, new TransformerEmbedder(ml, HashEmbedding.Create(ml)), new DenseRetrievalOptions { TopK = 20 });
        foreach (var query in data.Queries)
        {
            float[] q = HashEmbedding.Embed(query.Text);
            var expected = data.Corpus
                .Select(d => new KeyValuePair<string, double>(d.Id, VectorSimilarity.Cosine(q, HashEmbedding.Embed(d.TitleAndText))))
                .ToList();
            var ranked = run.Ranked(query.Id);
            for (int i = 0; i < ranked.Count; i++)
            {
                double exact = expected.First(e => e.Key == ranked[i].Key).Value;
                Assert.AreEqual(exact, ranked[i].Value, 1e-5, $"{query.Id} rank {i}");
            }
            // Same set as an exact sort, up to ties at the cut (scores are small-integer ratios, so ties are exact).
            expected.Sort(TrecOrder.Compare);
            double cut = ranked[^1].Value;
            CollectionAssert.IsSubsetOf(expected.Where(e => e.Value > cut + 1e-5).Select(e => e.Key).ToArray(), ranked.Select(p => p.Key).ToArray());
        }
    }
}
