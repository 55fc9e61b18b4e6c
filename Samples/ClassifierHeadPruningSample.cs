using Microsoft.ML;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;

namespace MLNetExt.Samples;

/// <summary>
/// Head pruning of a fine-tuned SST-2 classifier with SHRP (<c>PruneClassifierHeads</c> with
/// <see cref="HeadPruningMethod.Shrp"/>): every head becomes an expert behind a Top-1 router, a shared expander refines
/// their output, the heads the router used least are removed deterministically, then a short recovery fine-tune;
/// original and pruned scored on SST-2 dev. Without a model it first fine-tunes all-MiniLM-L6-v2 on the same rows.
/// Run: <c>dotnet run --project Samples -c Release -- shrp [data-folder] [rows] [model.zip]</c>.
/// </summary>
/// <remarks>
/// Prints (the figures of full runs are in BENCHMARKS.md with their commands), e.g.:
/// <code>
/// Shrp: 43 of 72 heads kept (per layer 7,8,...); removed 0:1 0:4 ...
/// SST-2 dev, 872 sentences: original accuracy 0.8888, pruned 0.87...
/// </code>
/// </remarks>
public static class ClassifierHeadPruningSample
{
    private sealed class Review
    {
        public string Sentence { get; set; } = "";
        public string Label { get; set; } = "";
    }

    private sealed class LabelName
    {
        public string Label { get; set; } = "";
    }

    /// <summary>Prunes 40% of a fine-tuned SST-2 classifier's heads with SHRP; returns the dev accuracy of the original and the pruned model.</summary>
    /// <param name="dataFolder">The folder holding <c>sst2/train.tsv</c> and <c>sst2/dev.tsv</c>.</param>
    /// <param name="trainRows">Training rows for routing and recovery (and fine-tuning when no model is given).</param>
    /// <param name="modelPath">A classifier fine-tuned on SST-2 (e.g. <c>train classify --out</c>'s model.zip); null to fine-tune one first.</param>
    /// <param name="devRows">Dev sentences scored (0: all 872).</param>
    public static (double Original, double Pruned) Example(string dataFolder, int trainRows = 2000, string? modelPath = null, int devRows = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainRows, 2);
        var mlContext = new MLContext(seed: 0);
        Review[] Read(string file, int count) => File.ReadLines(Path.Combine(dataFolder, "sst2", file)).Skip(1).Take(count > 0 ? count : int.MaxValue)
            .Select(l => l.Split('\t')).Select(f => new Review { Sentence = f[0], Label = f[1] }).ToArray();
        Review[] train = Read("train.tsv", trainRows), dev = Read("dev.tsv", devRows);
        // Keys in label order, as train classify maps them: class index i is label "i".
        IDataView labels = mlContext.Data.LoadFromEnumerable(new[] { new LabelName { Label = "0" }, new LabelName { Label = "1" } });
        var keys = mlContext.Transforms.Conversion.MapValueToKey("Label", keyData: labels).Fit(mlContext.Data.LoadFromEnumerable(train));
        IDataView data = keys.Transform(mlContext.Data.LoadFromEnumerable(train));

        EncoderFineTuningTransformer model = modelPath is not null
            ? EncoderFineTuningTransformer.Load(mlContext, modelPath)
            : mlContext.MulticlassClassification.Trainers.EncoderTextClassification(new EncoderFineTuningOptions
            {
                SentenceColumnName = "Sentence", Training = new TrainingOptions { BatchSize = 32, Epochs = 1 },
            }).Fit(data);
        try
        {
            ClassifierHeadPruningResult pruned = mlContext.MulticlassClassification.Trainers.PruneClassifierHeads(model, new ClassifierHeadPruningOptions
            {
                Method = HeadPruningMethod.Shrp, PruneFraction = 0.4,
                Training = new TrainingOptions { BatchSize = 32, Epochs = 1, LearningRate = 5e-5 },
            }).Train(data);
            try
            {
                Console.WriteLine(pruned);
                double original = Accuracy(model, dev), after = Accuracy(pruned.Pruned, dev);
                Console.WriteLine($"SST-2 dev, {dev.Length} sentences: original accuracy {original:F4}, pruned {after:F4}");
                return (original, after);
            }
            finally
            {
                pruned.Pruned.Dispose(); // an IOwnedTransformer: its owner ends it
            }
        }
        finally
        {
            model.Dispose();
        }
    }

    // Class index i is label "i" (keys in label order).
    private static double Accuracy(EncoderFineTuningTransformer model, Review[] dev)
    {
        float[][] scores = model.Predict(dev.Select(d => d.Sentence).ToArray());
        return dev.Zip(scores).Count(p => Array.IndexOf(p.Second, p.Second.Max()).ToString(System.Globalization.CultureInfo.InvariantCulture) == p.First.Label) / (double)dev.Length;
    }
}
