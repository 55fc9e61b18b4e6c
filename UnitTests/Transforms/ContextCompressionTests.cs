using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Transforms;
using MLNetExt.UnitTests.Infrastructure;
using static MLNetExt.UnitTests.Transforms.EncoderTestModels;

namespace MLNetExt.UnitTests.Transforms;

[TestClass]
public sealed class ContextCompressionTests
{
    private static readonly string[] Sentences =
    {
        "A man is playing a guitar.",
        "A woman is slicing an onion into small pieces on a wooden board.",
        "Stocks fell.",
        "The quick brown fox jumps over the lazy dog while the farmer watches from the porch of the old house.",
    };

    [TestMethod]
    public void Mean_AveragesConsecutiveTokens_KIsTheCeiling()
    {
        float[] states = [1, 0, 3, 0, 5, 2, 7, 2, 9, 4]; // five tokens of two floats
        float[] x2 = ContextPooling.Compress(states, 2, ContextCompressionMethod.Mean, 2, normalize: false);
        CollectionAssert.AreEqual(new float[] { 2, 0, 6, 2, 9, 4 }, x2);
        Assert.AreEqual(2, ContextPooling.VectorCount(5, 4));
        Assert.AreEqual(5, ContextPooling.VectorCount(5, 1));
        Assert.AreEqual(1, ContextPooling.VectorCount(5, 8));
        Assert.AreEqual(3, ContextPooling.VectorCount(5, 8, fixedCount: 3));
        Assert.AreEqual(5, ContextPooling.VectorCount(5, 8, fixedCount: 9));
        float[] fixed2 = ContextPooling.Compress(states, 2, ContextCompressionMethod.Mean, 1, fixedCount: 2, normalize: false);
        float[] expected = [3, 2f / 3, 8, 3]; // runs [0, 3) and [3, 5)
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], fixed2[i], 1e-6f);

        float[] unit = ContextPooling.Compress(states, 2, ContextCompressionMethod.Mean, 4);
        Assert.AreEqual(1f, TensorPrimitives.Norm(unit.AsSpan(0, 2)), 1e-6f);

        var bad = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ContextPooling.Compress(states, 2, ContextCompressionMethod.Mean, 3));
        StringAssert.Contains(bad.Message, "must be 1, 2, 4 or 8; got 3");
        Assert.ThrowsExactly<ArgumentException>(() => ContextPooling.Compress(states.AsSpan(0, 3), 2, ContextCompressionMethod.Mean, 2));
    }

    [TestMethod]
    public void Cluster_GroupsSimilarTokensWhereverTheyStand()
    {
        // Tokens alternate between two directions; clustering into 2 must group them by direction, not by position.
        float[] states = [1, 0.1f, 0.1f, 1, 1, 0, 0, 1, 0.9f, 0.1f, 0.1f, 0.9f];
        float[] pooled = ContextPooling.Compress(states, 2, ContextCompressionMethod.Cluster, 1, fixedCount: 2);
        Assert.IsTrue(pooled[0] > 0.9f && pooled[1] < 0.2f, $"first cluster {pooled[0]}, {pooled[1]}");
        Assert.IsTrue(pooled[2] < 0.2f && pooled[3] > 0.9f, $"second cluster {pooled[2]}, {pooled[3]}");
    }

    [TestMethod]
    public void Ward_EqualsTheTextbookAlgorithm()
    {
        var random = new Random(5);
        const int n = 24, d = 6;
        var vectors = Enumerable.Range(0, n * d).Select(_ => (float)random.NextDouble()).ToArray();
        foreach (int k in new[] { 1, 5, 12, 23 })
        {
            int[] labels = WardClustering.Cluster(vectors, n, d, k);
            // Reference: merge the pair with the least increase of squared error, computed from the members each time.
            var clusters = Enumerable.Range(0, n).Select(i => new List<int> { i }).ToList();
            double Sse(List<int> members)
            {
                double total = 0;
                for (int j = 0; j < d; j++)
                {
                    double mean = members.Average(m => vectors[m * d + j]);
                    total += members.Sum(m => Math.Pow(vectors[m * d + j] - mean, 2));
                }
                return total;
            }
            while (clusters.Count > k)
            {
                (int a, int b, double cost) best = (-1, -1, double.MaxValue);
                for (int a = 0; a < clusters.Count; a++)
                    for (int b = a + 1; b < clusters.Count; b++)
                    {
                        double cost = Sse([.. clusters[a], .. clusters[b]]) - Sse(clusters[a]) - Sse(clusters[b]);
                        if (cost < best.cost - 1e-9)
                            best = (a, b, cost);
                    }
                clusters[best.a].AddRange(clusters[best.b]);
                clusters.RemoveAt(best.b);
            }
            var expected = new int[n];
            foreach (var (members, index) in clusters.OrderBy(c => c.Min()).Select((c, i) => (c, i)))
                foreach (int m in members)
                    expected[m] = index;
            CollectionAssert.AreEqual(expected, labels, $"k = {k}");
        }
    }

    [TestMethod]
    public void Workout_SchemaSaveLoadAndWrongInput()
    {
        var mlContext = new MLContext(seed: 1);
        var estimator = mlContext.Transforms.Text.CompressContext(new CompressContextOptions
        {
            InputColumnName = "Text",
            OutputColumnName = "Vectors",
            Ratio = 2,
            Method = ContextCompressionMethod.Cluster,
            Model = MiniLM,
        });
        var invalid = mlContext.Data.LoadFromEnumerable(new[] { new NumberRow { Text = 1 } });
        var fitted = EstimatorWorkout.Run(mlContext, estimator, Texts(mlContext, Sentences), invalid,
            typeof(ArgumentOutOfRangeException), "Schema mismatch for input column 'Text': expected String, got Single", TextEncoderTransformTests.EncoderRoundTrip);
        Assert.AreEqual(384, ((CompressContextTransformer)fitted).Dimension);
        fitted.DisposeEncoders();
    }

    [TestMethod]
    [DataRow(ContextCompressionMethod.Mean, 4)]
    [DataRow(ContextCompressionMethod.Cluster, 2)]
    [DataRow(ContextCompressionMethod.Mean, 1)]
    public void Shapes_KPerRow_AndTheSameVectorsAsPoolingEncodeTextsTokens(ContextCompressionMethod method, int ratio)
    {
        var mlContext = new MLContext(seed: 1);
        var data = Texts(mlContext, Sentences);
        var compressor = mlContext.Transforms.Text.CompressContext("Vectors", "Text", ratio, method, MiniLM).Fit(data);
        var encoder = mlContext.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            InputColumnName = "Text",
            OutputColumnName = "Embedding",
            TokenEmbeddingsColumnName = "Tokens",
            Model = MiniLM,
        }).Fit(data);
        IDataView compressed = compressor.Transform(data);
        List<float[]> vectors = ReadVectors(compressed, "Vectors");
        int[] counts = mlContext.Data.CreateEnumerable<CountRow>(compressed, reuseRowObject: false).Select(r => r.VectorsCount).ToArray();
        List<float[]> tokens = ReadVectors(encoder.Transform(data), "Tokens");
        var variant = LateInteractionVariants.Compressed(method, ratio);
        for (int row = 0; row < Sentences.Length; row++)
        {
            int wordPieces = tokens[row].Length / 384 - 2;
            Assert.AreEqual((wordPieces + ratio - 1) / ratio, counts[row], $"K of row {row}");
            Assert.AreEqual(counts[row] * 384, vectors[row].Length);
            for (int k = 0; k < counts[row]; k++)
                Assert.AreEqual(1f, TensorPrimitives.Norm(vectors[row].AsSpan(k * 384, 384)), 1e-5f);
            // The evaluator's compression of EncodeText's token vectors is the transform's, value for value.
            float[] expected = variant.DocumentVectors(tokens[row], 384);
            Assert.AreEqual(expected.Length, vectors[row].Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.AreEqual(expected[i], vectors[row][i], 1e-5f, $"row {row} value {i}");
        }

        // One row through a PredictionEngine gives the batched row's vectors.
        using var engine = mlContext.Model.CreatePredictionEngine<TextRow, VectorsRow>(compressor);
        var single = engine.Predict(new TextRow { Text = Sentences[1] });
        Assert.AreEqual(counts[1], single.VectorsCount);
        for (int i = 0; i < single.Vectors.Length; i++)
            Assert.AreEqual(vectors[1][i], single.Vectors[i], 1e-4f);
        compressor.Dispose();
        encoder.Dispose();
    }

    [TestMethod]
    public void BadInput_RatioEmptyTextAndOverlongText_SayWhatIsWrong()
    {
        var mlContext = new MLContext(seed: 1);
        var ratio = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Transforms.Text.CompressContext("Vectors", "Text", ratio: 3, model: MiniLM));
        StringAssert.Contains(ratio.Message, "Ratio must be 1, 2, 4 or 8; got 3");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Transforms.Text.CompressContext(new CompressContextOptions { VectorCount = 0, Model = MiniLM }));

        var withEmpty = Texts(mlContext, "A man is playing a guitar.", "  ");
        var compressor = mlContext.Transforms.Text.CompressContext("Vectors", "Text", 2, model: MiniLM).Fit(withEmpty);
        var empty = Assert.ThrowsExactly<InvalidOperationException>(() => ReadVectors(compressor.Transform(withEmpty), "Vectors"));
        StringAssert.Contains(empty.Message, "Row 1 of column 'Text' has no word pieces");
        compressor.Dispose();

        var longText = Texts(mlContext, "Stocks fell.", string.Join(" ", Enumerable.Repeat("guitar", 40)));
        var options = new CompressContextOptions { InputColumnName = "Text", Ratio = 4, MaxTokens = 16, Model = MiniLM };
        var strict = mlContext.Transforms.Text.CompressContext(options).Fit(longText);
        var tooLong = Assert.ThrowsExactly<InvalidOperationException>(() => ReadVectors(strict.Transform(longText), "Vectors"));
        StringAssert.Contains(tooLong.Message, "Row 1 of column 'Text' is longer than MaxTokens (16");
        options.TruncateLongText = true;
        var cutting = mlContext.Transforms.Text.CompressContext(options).Fit(longText);
        Assert.AreEqual(4 * 384, ReadVectors(cutting.Transform(longText), "Vectors")[1].Length); // 14 word pieces kept -> K = 4
        strict.Dispose();
        cutting.Dispose();
    }

    private sealed class CountRow
    {
        public int VectorsCount { get; set; }
    }

    private sealed class VectorsRow
    {
        public float[] Vectors { get; set; } = [];

        public int VectorsCount { get; set; }
    }
}
