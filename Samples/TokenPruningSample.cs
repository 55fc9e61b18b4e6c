using Microsoft.ML;
using Microsoft.ML.Transforms;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms.TokenPruning;

namespace MLNetExt.Samples;

/// <summary>
/// <c>mlContext.MulticlassClassification.Trainers.PruneTokens</c>: latency-adjustable token pruning of a fine-tuned
/// SST-2 classifier. The classifier is fine-tuned with pruning towards a target keep schedule, then served at several
/// schedules from that one model (<c>WithTokenKeep</c>), each with the speed-up its FLOPs predict and its dev accuracy.
/// Run: <c>dotnet run --project Samples -c Release -- tokens [data-folder] [training-rows] [model.zip]</c>; without a
/// model.zip (from <c>mlnetext train classify --out</c>) a classifier is first fine-tuned on the training rows.
/// </summary>
/// <remarks>
/// A smoke run of the API (64 rows, 1 epoch, 32 tokens, 128 dev rows) is far from a useful classifier; the
/// BENCHMARKS.md curve comes from <c>mlnetext train prune-tokens</c> on the full-epoch model.
/// </remarks>
public static class TokenPruningSample
{
    /// <summary>Fine-tunes with pruning and prints the expected speed-up and dev accuracy of three schedules.</summary>
    /// <param name="dataFolder">The folder holding <c>sst2/</c>.</param>
    /// <param name="trainingRows">SST-2 training rows.</param>
    /// <param name="modelPath">A saved fine-tuned classifier; null fine-tunes one first.</param>
    /// <returns>Dev accuracy per schedule.</returns>
    public static IReadOnlyDictionary<string, double> Example(string dataFolder, int trainingRows = 64, string? modelPath = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainingRows, 2);
        string folder = Path.Combine(dataFolder, "sst2");
        SentimentReview[] train = SentimentReview.Read(Path.Combine(folder, "train.tsv"), trainingRows);
        SentimentReview[] dev = SentimentReview.Read(Path.Combine(folder, "dev.tsv"), 128);
        var mlContext = new MLContext(seed: 0);
        IDataView trainData = mlContext.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(mlContext.Data.LoadFromEnumerable(train)).Transform(mlContext.Data.LoadFromEnumerable(train));

        EncoderFineTuningTransformer classifier = modelPath is not null
            ? EncoderFineTuningTransformer.Load(mlContext, modelPath)
            : mlContext.MulticlassClassification.Trainers.EncoderTextClassification(new EncoderFineTuningOptions
            {
                MaxTokens = 32, Training = new TrainingOptions { BatchSize = 16, Epochs = 1, LearningRate = 1e-4 },
            }).Fit(trainData);

        // Fine-tune through the pruned forward: half the batches on the target, the rest on schedules drawn around it.
        EncoderFineTuningTransformer pruned = mlContext.MulticlassClassification.Trainers.PruneTokens(classifier, targetSchedule: "0.8").Fit(trainData);
        Console.WriteLine($"fine-tuned with token pruning: {pruned.TrainingResult!.Steps} steps, serving {pruned.TokenKeep}");

        string[] sentences = dev.Select(d => d.Sentence).ToArray();
        var accuracy = new Dictionary<string, double>();
        foreach (string text in new[] { "1", "0.8", "1,0.7,0.5,0.4,0.3,0.3" })
        {
            // One model, many speed settings: the same weights, served with ranking and cutting after the layers the schedule cuts after.
            EncoderFineTuningTransformer served = pruned.WithTokenKeep(text);
            TokenPruningEstimate estimate = served.EstimateTokenPruning(served.TokenKeep!, sentences);
            float[][] scores = served.Predict(sentences);
            double correct = dev.Zip(scores, (d, s) => (s[1] > s[0] ? "1" : "0") == d.Label ? 1 : 0).Average();
            accuracy[served.TokenKeep!.ToString()] = correct;
            Console.WriteLine($"{estimate}; dev accuracy {correct:F3}");
            served.Dispose();
        }
        pruned.Dispose();
        classifier.Dispose();
        return accuracy;
    }
}
