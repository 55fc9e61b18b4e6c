using Microsoft.ML;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Sts;
using MLNetExt.Transforms;

namespace MLNetExt.Samples;

/// <summary>
/// <c>StsEvaluator</c>: how well an encoder's similarities follow human similarity judgements (STS Benchmark dev),
/// as Spearman and Pearson correlations for cosine, dot, Euclidean and Manhattan similarity.
/// Run: <c>dotnet run --project Samples -c Release -- sts [data-folder] [max-pairs]</c>.
/// </summary>
/// <remarks>
/// Prints (<c>sts ../shared/data</c>: all 1,500 dev pairs; the first pairs are image captions, easier than the
/// rest, so a small cap scores higher):
/// <code>
/// STS-B dev: 1500 pairs
/// similarity   spearman  pearson
/// Cosine         0.8672   0.8696
/// Dot            0.8672   0.8696
/// Euclidean      0.8672   0.8679
/// Manhattan      0.8664   0.8670
/// </code>
/// </remarks>
public static class StsEvaluationSample
{
    private sealed class Sentence
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Encodes the first <paramref name="maxPairs"/> STS-B dev pairs with all-MiniLM-L6-v2 and correlates.</summary>
    /// <param name="dataFolder">The folder holding <c>stsb/dev.tsv</c> (the shared data folder).</param>
    /// <param name="maxPairs">Pairs to evaluate (0: all 1,500).</param>
    public static StsResult Example(string dataFolder, int maxPairs = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPairs);
        IReadOnlyList<StsPair> pairs = StsReader.Read(Path.Combine(dataFolder, "stsb", "dev.tsv"));
        if (maxPairs > 0)
            pairs = pairs.Take(maxPairs).ToList();
        Console.WriteLine($"STS-B dev: {pairs.Count} pairs");

        // Any fitted ML.NET transformer that turns a text column into a float vector can be evaluated.
        var mlContext = new MLContext(seed: 0);
        var pipeline = mlContext.Transforms.Text.EncodeText(outputColumnName: "Embedding", inputColumnName: "Text", PretrainedEncoders.Load("all-MiniLM-L6-v2"));
        ITransformer encoder = pipeline.Fit(mlContext.Data.LoadFromEnumerable(Array.Empty<Sentence>()));

        // Each distinct sentence is encoded once; every similarity function is correlated with the gold scores.
        StsResult result = StsEvaluator.Evaluate(pairs, new TransformerEmbedder(mlContext, encoder, "Text", "Embedding"));
        Console.WriteLine($"{"similarity",-12} {"spearman",8} {"pearson",8}");
        foreach ((SimilarityFunction function, CorrelationPair correlation) in result.BySimilarity)
            Console.WriteLine($"{function,-12} {correlation.Spearman,8:F4} {correlation.Pearson,8:F4}");
        return result;
    }
}
