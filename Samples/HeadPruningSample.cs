using Microsoft.ML;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Sts;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Samples;

/// <summary>
/// Attention-head pruning: 40% of all-MiniLM-L6-v2's 72 heads removed by importance (<c>PruneEncoderHeads</c>: the
/// gradient of the embedding-distillation loss w.r.t. a mask on each head, over batches of unlabelled STS-B train
/// sentences), then a short recovery fine-tune towards the unpruned model; both scored on STS-B dev.
/// Run: <c>dotnet run --project Samples -c Release -- prune [data-folder] [texts]</c>.
/// </summary>
/// <remarks>
/// Prints (the figures of full runs are in BENCHMARKS.md with their commands), e.g.:
/// <code>
/// 43 of 72 heads kept (per layer 7,8,...); removed 0:3 0:5 ...
/// STS-B dev, 1500 pairs: original 0.8672, pruned 0.8...
/// </code>
/// </remarks>
public static class HeadPruningSample
{
    private sealed class Sentence
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Prunes all-MiniLM-L6-v2's heads; returns the STS-B dev Spearman of the original and the pruned model.</summary>
    /// <param name="dataFolder">The folder holding <c>stsb/train.tsv</c> and <c>stsb/dev.tsv</c>.</param>
    /// <param name="texts">Unlabelled STS-B train sentences for importance and recovery.</param>
    /// <param name="devPairs">Dev pairs to evaluate (0: all 1,500).</param>
    /// <param name="importanceBatches">Batches of 32 sentences over which head importance is accumulated.</param>
    public static (double Original, double Pruned) Example(string dataFolder, int texts = 2000, int devPairs = 0, int importanceBatches = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(texts, 2);
        IReadOnlyList<StsPair> dev = StsReader.Read(Path.Combine(dataFolder, "stsb", "dev.tsv"));
        if (devPairs > 0)
            dev = dev.Take(devPairs).ToList();
        var mlContext = new MLContext(seed: 0);
        EncoderModel miniLm = PretrainedEncoders.Load("all-MiniLM-L6-v2");

        string[] sentences = StsReader.Read(Path.Combine(dataFolder, "stsb", "train.tsv")).SelectMany(p => new[] { p.Sentence1, p.Sentence2 })
            .Distinct(StringComparer.Ordinal).Take(texts).ToArray();
        IDataView unlabelled = mlContext.Data.LoadFromEnumerable(sentences.Select(t => new Sentence { Text = t }));
        EncoderHeadPruningResult pruned = mlContext.Transforms.Text.PruneEncoderHeads(new EncoderHeadPruningOptions
        {
            Model = miniLm, PruneFraction = 0.4, ImportanceBatches = importanceBatches, MaxTokens = 64,
            Training = new TrainingOptions { BatchSize = 32, Epochs = 1, LearningRate = 1e-4 },
        }).Train(unlabelled);
        Console.WriteLine(pruned);

        double original = Score(mlContext, miniLm, dev), after = Score(mlContext, pruned.Pruned, dev);
        Console.WriteLine($"STS-B dev, {dev.Count} pairs: original {original:F4}, pruned {after:F4}");
        return (original, after);
    }

    private static double Score(MLContext mlContext, EncoderModel model, IReadOnlyList<StsPair> pairs)
    {
        TextEncoderTransformer encoder = mlContext.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            Model = model, InputColumnName = "Text", OutputColumnName = "Embedding",
        }).Fit(mlContext.Data.LoadFromEnumerable(Array.Empty<Sentence>()));
        try
        {
            return StsEvaluator.Evaluate(pairs, new TransformerEmbedder(mlContext, encoder, "Text", "Embedding")).CosineSpearman;
        }
        finally
        {
            encoder.Dispose(); // an IOwnedTransformer: its owner ends it
        }
    }
}
