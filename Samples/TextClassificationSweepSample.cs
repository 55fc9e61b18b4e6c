using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Estimators.Tuners;

namespace MLNetExt.Samples;

/// <summary>
/// <c>SweepExperiment</c>: an AutoML-style sweep over a text classification pipeline whose featurizer is either
/// ML.NET's <c>FeaturizeText</c> (n-grams) or a pretrained encoder (<c>EncodeText</c>), followed by one of two
/// stock trainers, each with its own hyper-parameters, on SST-2 sentiment rows.
/// Run: <c>dotnet run --project Samples -c Release -- sweep [data-folder] [training-rows]</c>.
/// </summary>
/// <remarks>
/// Prints one line per trial (its configuration, dev accuracy, time and peak memory), then the best trial and two
/// predictions of its model. Random search is seeded, so the configurations repeat from run to run. With
/// <c>sweep ../shared/data 300</c> (300 training rows, 400 dev rows, 6 trials) the n-gram pipelines reached 0.61-0.64
/// and the encoder ones 0.64-0.68 dev accuracy; the best was
/// <code>
/// best: trial 2, accuracy 0.6825: encoder(Encoder=snowflake-arctic-embed-xs MaxTokens=64 Pooling=MeanSqrtLen) + lbfgs(...)
/// "a wonderful , moving and beautifully acted film" -> 1
/// "a dull , boring and painfully bad mess" -> 0
/// </code>
/// </remarks>
public static class TextClassificationSweepSample
{
    private sealed class Review
    {
        [ColumnName("sentence")]
        public string Sentence { get; set; } = "";
    }

    private sealed class ReviewPrediction
    {
        public string PredictedLabel { get; set; } = "";
    }

    /// <summary>The trials and the best of them.</summary>
    /// <param name="Trials">Every trial, in the order they finished.</param>
    /// <param name="Best">The trial with the highest dev accuracy (its <see cref="TrialResult.Model"/> is set).</param>
    /// <param name="Predictions">The best model's labels for the two example reviews (positive, then negative).</param>
    public sealed record Result(IReadOnlyList<TrialResult> Trials, TrialResult Best, IReadOnlyList<string> Predictions);

    /// <summary>Sweeps <paramref name="maxTrials"/> configurations on the first rows of SST-2 train, scored on dev.</summary>
    /// <param name="dataFolder">The folder holding <c>sst2/</c> (the shared data folder).</param>
    /// <param name="trainingRows">Training rows read.</param>
    /// <param name="devRows">Dev rows each trial is scored on.</param>
    /// <param name="maxTrials">Trials to run.</param>
    public static Result Example(string dataFolder, int trainingRows = 2000, int devRows = 400, int maxTrials = 6)
    {
        var mlContext = new MLContext(seed: 0);
        string folder = Path.Combine(dataFolder, "sst2");
        // TextDataset reads a tab-separated file with a header, keeping the label and the named text columns.
        TextDataset train = TextDataset.Load(mlContext, Path.Combine(folder, "train.tsv"), "label", ["sentence"], SweepTask.Classification, trainingRows);
        TextDataset dev = TextDataset.Load(mlContext, Path.Combine(folder, "dev.tsv"), "label", ["sentence"], SweepTask.Classification, devRows);

        // The search space is the choice of featurizer and trainer plus each one's own options.
        var pipeline = new SweepablePipeline(
            featurizers: [TextFeaturizers.FeaturizeText(["sentence"]), EncoderFeaturizer.Create(["sentence"])],
            trainers: [StockTrainers.SdcaMaximumEntropy(), StockTrainers.LbfgsMaximumEntropy()]);

        // A trial fits the chosen pipeline on train and scores it on dev; features are computed once per featurizer setting.
        var runner = new TextPipelineRunner(pipeline, train.Data, dev.Data, "label", SweepTask.Classification, metric: "accuracy");
        var experiment = new SweepExperiment()
            .SetSearchSpace(pipeline.SearchSpace)
            .SetTrialRunner(runner)
            .SetTuner(space => new RandomSearchTuner(space, seed: 1))
            .SetMonitor(new TextWriterMonitor(Console.Out, "accuracy", pipeline.Describe))
            .SetMaxTrials(maxTrials);
        TrialResult best = experiment.Run();
        Console.WriteLine($"best: trial {best.TrialSettings.TrialId}, accuracy {best.Metric:F4}: {pipeline.Describe(best.TrialSettings.Parameter)}");

        // The best trial's model is an ordinary fitted pipeline: raw text in, label text out.
        var engine = mlContext.Model.CreatePredictionEngine<Review, ReviewPrediction>(best.Model!);
        var predictions = new List<string>();
        foreach (string text in new[] { "a wonderful , moving and beautifully acted film", "a dull , boring and painfully bad mess" })
        {
            predictions.Add(engine.Predict(new Review { Sentence = text }).PredictedLabel);
            Console.WriteLine($"\"{text}\" -> {predictions[^1]}");
        }
        return new Result(experiment.Trials, best, predictions);
    }
}
