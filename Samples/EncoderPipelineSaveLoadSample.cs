using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNetExt.Transforms;

namespace MLNetExt.Samples;

/// <summary>
/// <c>mlContext.Model.SaveWithEncoders</c> / <c>LoadWithEncoders</c>: a sentiment classifier made of an encoder
/// (<c>EncodeText</c>) and stock ML.NET parts (<c>MapValueToKey</c>, L-BFGS maximum entropy, <c>MapKeyToValue</c>)
/// saved into one file with the ONNX weights inside, loaded back, and checked to give the same scores.
/// Run: <c>dotnet run --project Samples -c Release -- saveload [data-folder] [training-rows]</c>.
/// </summary>
/// <remarks>
/// Prints (<c>saveload ../shared/data 200</c>: 200 training rows, 64 dev rows):
/// <code>
/// mlContext.Model.Save refused: TextEncoderTransformer cannot be written into ML.NET's model file: ... Save the
///   pipeline with mlContext.Model.SaveWithEncoders(model, inputSchema, path) and load it with ...
/// saved 200-row classifier: 91.0 MB
/// 64 dev rows: largest score difference after loading 0, same labels: True
/// loaded model says "an utterly charming and hilarious film" -> 1
/// </code>
/// </remarks>
public static class EncoderPipelineSaveLoadSample
{
    /// <summary>What the round trip preserved.</summary>
    /// <param name="Rows">Dev rows compared.</param>
    /// <param name="MaxScoreDifference">Largest absolute difference between a class score before saving and after loading.</param>
    /// <param name="SameLabels">Whether every predicted label is the same.</param>
    /// <param name="FileBytes">Size of the saved file.</param>
    /// <param name="StockSaveError">The message with which <c>mlContext.Model.Save</c> refused the pipeline.</param>
    /// <param name="LoadedPrediction">The loaded model's label for an example review, through a PredictionEngine.</param>
    public sealed record Result(int Rows, float MaxScoreDifference, bool SameLabels, long FileBytes, string StockSaveError, string LoadedPrediction);

    /// <summary>Trains the classifier on the first SST-2 training rows, saves it, loads it and compares on dev rows.</summary>
    /// <param name="dataFolder">The folder holding <c>sst2/</c> (the shared data folder).</param>
    /// <param name="trainingRows">Training rows.</param>
    /// <param name="devRows">Dev rows compared before and after the round trip.</param>
    public static Result Example(string dataFolder, int trainingRows = 300, int devRows = 64)
    {
        string folder = Path.Combine(dataFolder, "sst2");
        var mlContext = new MLContext(seed: 0);
        IDataView train = mlContext.Data.LoadFromEnumerable(SentimentReview.Read(Path.Combine(folder, "train.tsv"), trainingRows));
        IDataView dev = mlContext.Data.LoadFromEnumerable(SentimentReview.Read(Path.Combine(folder, "dev.tsv"), devRows));

        // Frozen sentence embeddings as features for a stock linear classifier.
        var pipeline = mlContext.Transforms.Text.EncodeText(outputColumnName: "Features", inputColumnName: "Sentence", PretrainedEncoders.Load("all-MiniLM-L6-v2"))
            .Append(mlContext.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue))
            .Append(mlContext.MulticlassClassification.Trainers.LbfgsMaximumEntropy())
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        ITransformer model = pipeline.Fit(train);

        // ML.NET's own model file cannot hold the encoder; the exception names the call to use.
        string stockSaveError = "";
        try
        {
            mlContext.Model.Save(model, train.Schema, new MemoryStream());
        }
        catch (NotSupportedException e)
        {
            stockSaveError = e.Message;
            Console.WriteLine($"mlContext.Model.Save refused: {e.Message}");
        }

        string path = Path.Combine(Path.GetTempPath(), $"mlnetext-sentiment-{Guid.NewGuid():N}.zip");
        try
        {
            mlContext.Model.SaveWithEncoders(model, train.Schema, path);
            long bytes = new FileInfo(path).Length;
            Console.WriteLine($"saved {trainingRows}-row classifier: {bytes / 1e6:F1} MB");

            // A fresh context, as in the application that serves the model.
            var servingContext = new MLContext();
            ITransformer loaded = servingContext.Model.LoadWithEncoders(path, out _);

            float[][] before = model.Transform(dev).GetColumn<float[]>("Score").ToArray();
            float[][] after = loaded.Transform(dev).GetColumn<float[]>("Score").ToArray();
            float maxDifference = before.Zip(after).SelectMany(p => p.First.Zip(p.Second, (a, b) => Math.Abs(a - b))).Max();
            bool sameLabels = model.Transform(dev).GetColumn<string>("PredictedLabel")
                .SequenceEqual(loaded.Transform(dev).GetColumn<string>("PredictedLabel"));
            Console.WriteLine($"{before.Length} dev rows: largest score difference after loading {maxDifference}, same labels: {sameLabels}");

            var engine = servingContext.Model.CreatePredictionEngine<SentimentReview, SentimentPrediction>(loaded);
            const string review = "an utterly charming and hilarious film";
            string label = engine.Predict(new SentimentReview { Sentence = review }).PredictedLabel;
            Console.WriteLine($"loaded model says \"{review}\" -> {label}");
            return new Result(before.Length, maxDifference, sameLabels, bytes, stockSaveError, label);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
