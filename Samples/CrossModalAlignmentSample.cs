using Microsoft.ML;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Multimodal;
using MLNetExt.Trainers.CrossModal;
using MLNetExt.Transforms;

namespace MLNetExt.Samples;

/// <summary>
/// <c>CrossModalAligner</c>: aligns UCI Multiple Features (handwritten digits described by six feature sets) with
/// all-MiniLM-L6-v2's embeddings of captions such as "a handwritten digit seven": CLIP with CellCLIP's channel encoder,
/// and LiMBeR's single linear map into the frozen text space. Trains on the first 150 digits of each class and
/// scores the other 50: feature -> caption accuracy (also with each feature set missing) and caption -> digits precision@10.
/// Run: <c>dotnet run --project Samples -c Release -- align [data-folder] [epochs]</c>.
/// </summary>
/// <remarks>Prints one block per mode (figures of a run are in BENCHMARKS.md with the command).</remarks>
public static class CrossModalAlignmentSample
{
    private sealed class Sentence
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Runs both modes; returns their results.</summary>
    /// <param name="dataFolder">The folder holding <c>mfeat/</c>.</param>
    /// <param name="epochs">Passes over the training digits.</param>
    public static IReadOnlyDictionary<CrossModalMode, CrossModalEvaluationResult> Example(string dataFolder, int epochs = 20)
    {
        MultipleFeaturesDataset data = MultipleFeaturesReader.Read(Path.Combine(dataFolder, "mfeat"));
        int[] train = Enumerable.Range(0, data.Samples.Count).Where(i => i % 200 < 150).ToArray();
        int[] test = Enumerable.Range(0, data.Samples.Count).Where(i => i % 200 >= 150).ToArray();
        var all = new MultiChannelFeatures(data.ChannelNames, data.ChannelWidths, data.Samples.Select(s => s.Select(v => (float[]?)v).ToArray()).ToArray());
        Console.WriteLine($"UCI Multiple Features: {train.Length} training digits, {test.Length} test digits, channels {string.Join(", ", data.ChannelNames.Select((n, c) => $"{n} ({data.ChannelWidths[c]})"))}");

        // The text tower is the frozen encoder: embed the ten captions once.
        var mlContext = new MLContext(seed: 0);
        string[] captions = Enumerable.Range(0, 10).Select(MultipleFeaturesDataset.Caption).ToArray();
        TextEncoderTransformer encoder = mlContext.Transforms.Text.EncodeText("Embedding", "Text", PretrainedEncoders.Load("all-MiniLM-L6-v2"))
            .Fit(mlContext.Data.LoadFromEnumerable(Array.Empty<Sentence>()));
        float[][] captionVectors = new TransformerEmbedder(mlContext, encoder, "Text", "Embedding").EmbedAll(captions, "captions");
        encoder.Dispose();   // the owner ends an EncodeText transformer (see IOwnedTransformer)

        var results = new Dictionary<CrossModalMode, CrossModalEvaluationResult>();
        foreach (CrossModalMode mode in new[] { CrossModalMode.ChannelEncoder, CrossModalMode.LinearMap })
        {
            var options = new CrossModalAlignmentOptions { Mode = mode, Epochs = epochs };
            CrossModalTrainingResult trained = CrossModalAligner.Train(all.Subset(train), train.Select(i => captions[data.Digits[i]]).ToArray(),
                train.Select(i => captionVectors[data.Digits[i]]).ToArray(), options);
            using CrossModalModel model = trained.Model;
            CrossModalEvaluationResult result = CrossModalEvaluation.Evaluate(model, all.Subset(test), test.Select(i => data.Digits[i]).ToArray(), captionVectors);
            results[mode] = result;
            Console.WriteLine($"{mode}: {trained.Training.Steps} steps in {trained.Training.TrainingSeconds:F0} s, mean loss {trained.Training.MeanLoss:F3}");
            Console.WriteLine($"  feature -> caption accuracy {100 * result.FeatureToCaptionAccuracy:F1}%");
            Console.WriteLine($"  one channel missing: {string.Join(", ", result.AccuracyWithoutChannel.Select(p => $"{p.Key} {100 * p.Value:F1}%"))}" +
                $" (worst {100 * result.AccuracyWithoutChannel.Values.Min():F1}%)");
            Console.WriteLine($"  caption -> digits precision@10 {100 * result.TextToFeaturesPrecisionAt10:F1}%, recall@10 {100 * result.TextToFeaturesRecallAt10:F1}% (at most 20% with 50 digits per class)");
        }
        return results;
    }
}
