using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Samples;

/// <summary>
/// <c>mlContext.MulticlassClassification.Trainers.EncoderTextClassification</c>: fine-tunes all-MiniLM-L6-v2 with a
/// classification head on SST-2 sentiment rows (TorchSharp, CPU), scores the dev set with <c>GlueEvaluator</c> and
/// predicts single reviews with a <c>PredictionEngine</c>.
/// Run: <c>dotnet run --project Samples -c Release -- finetune [data-folder] [training-rows]</c>.
/// </summary>
/// <remarks>
/// Prints (<c>finetune ../shared/data 64</c>: 64 training rows, 1 epoch, 32 tokens, 128 dev rows; a smoke run that
/// shows the API, far from the 91-93 % accuracy a full fine-tuning reaches; the first review below is misread):
/// <code>
/// trained on 64 rows: 4 steps, mean loss 0.70
/// SST-2 dev (128 rows): accuracy 0.59
/// "a gorgeous , witty , seductive movie ." -> 0 (p = 0.51)
/// "the plot is nothing but boilerplate clichés from start to finish ," -> 0 (p = 0.68)
/// </code>
/// </remarks>
public static class TextClassificationFineTuningSample
{
    /// <summary>The dev measures and the predictions of the two example reviews.</summary>
    /// <param name="Dev">GLUE measures on the dev rows.</param>
    /// <param name="DevPredictions">The predicted label of each dev row.</param>
    /// <param name="Examples">PredictionEngine's answers for the example reviews.</param>
    /// <param name="TrainingSteps">Optimisation steps taken.</param>
    public sealed record Result(GlueResult Dev, IReadOnlyList<string> DevPredictions, IReadOnlyList<SentimentPrediction> Examples, int TrainingSteps);

    /// <summary>Fine-tunes on the first <paramref name="trainingRows"/> SST-2 training rows and evaluates on dev.</summary>
    /// <param name="dataFolder">The folder holding <c>sst2/</c> (the shared data folder).</param>
    /// <param name="trainingRows">Training rows (the SST-2 training file has 67,349).</param>
    /// <param name="devRows">Dev rows scored (0: all 872).</param>
    /// <param name="maxTokens">Longest input in tokens; SST-2 sentences rarely need more than 64.</param>
    /// <param name="epochs">Passes over the training rows.</param>
    public static Result Example(string dataFolder, int trainingRows = 64, int devRows = 128, int maxTokens = 32, int epochs = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainingRows, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(devRows);
        string folder = Path.Combine(dataFolder, "sst2");
        SentimentReview[] train = SentimentReview.Read(Path.Combine(folder, "train.tsv"), trainingRows);
        SentimentReview[] dev = SentimentReview.Read(Path.Combine(folder, "dev.tsv"), devRows > 0 ? devRows : int.MaxValue);

        var mlContext = new MLContext(seed: 0);
        var options = new EncoderFineTuningOptions
        {
            Encoder = PretrainedEncoders.Load("all-MiniLM-L6-v2"),
            LabelColumnName = "Label",
            SentenceColumnName = "Sentence",
            MaxTokens = maxTokens,
            Training = new TrainingOptions { BatchSize = 16, Epochs = epochs, LearningRate = 1e-4 },
        };
        // The trainer wants a key-typed label; the predicted key is mapped back to the label text at the end.
        IDataView trainData = mlContext.Data.LoadFromEnumerable(train);
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(mlContext.MulticlassClassification.Trainers.EncoderTextClassification(options))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(trainData);
        EncoderFineTuningTransformer fineTuned = model.OfType<EncoderFineTuningTransformer>().Single();
        Console.WriteLine($"trained on {train.Length} rows: {fineTuned.TrainingResult!.Steps} steps, mean loss {fineTuned.TrainingResult.MeanLoss:F2}");

        // Batched scoring of the dev rows; GlueEvaluator reads the gold "Label" and the "PredictedLabel" column.
        IDataView scored = model.Transform(mlContext.Data.LoadFromEnumerable(dev));
        GlueResult result = GlueEvaluator.Evaluate(GlueTask.Sst2, scored);
        Console.WriteLine($"SST-2 dev ({result.Count} rows): accuracy {result.Metrics[GlueMetric.Accuracy]:F2}");
        string[] devPredictions = scored.GetColumn<string>("PredictedLabel").ToArray();

        // One review at a time.
        var engine = mlContext.Model.CreatePredictionEngine<SentimentReview, SentimentPrediction>(model);
        var examples = new List<SentimentPrediction>();
        foreach (string text in new[] { "a gorgeous , witty , seductive movie .", "the plot is nothing but boilerplate clichés from start to finish ," })
        {
            SentimentPrediction prediction = engine.Predict(new SentimentReview { Sentence = text });
            examples.Add(new SentimentPrediction { PredictedLabel = prediction.PredictedLabel, Score = prediction.Score.ToArray() });
            Console.WriteLine($"\"{text}\" -> {prediction.PredictedLabel} (p = {prediction.Score.Max():F2})");
        }
        // The pipeline's owner ends it; disposing an engine or the chain would not (see README, model lifetime).
        model.DisposeEncoders();
        return new Result(result, devPredictions, examples, fineTuned.TrainingResult.Steps);
    }
}
