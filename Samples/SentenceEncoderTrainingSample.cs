using Microsoft.ML;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Sts;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Losses;
using MLNetExt.Transforms;

namespace MLNetExt.Samples;

/// <summary>
/// <c>TrainSentenceEncoder</c>: trains all-MiniLM-L6-v2 itself with the CoSENT loss on scored STS-B train pairs, then
/// scores the untrained and the trained encoder on STS-B dev with the STS evaluator (cosine Spearman).
/// Run: <c>dotnet run --project Samples -c Release -- contrastive [data-folder] [train-pairs]</c>.
/// </summary>
/// <remarks>
/// Prints (the figures of a run are in BENCHMARKS.md with its command), e.g.:
/// <code>
/// STS-B train: 2000 pairs, dev: 1500 pairs
/// untrained all-MiniLM-L6-v2: cosine spearman 0.8672
/// trained (cosent, 1 epoch, 125 steps, ... s): cosine spearman 0.8...
/// </code>
/// </remarks>
public static class SentenceEncoderTrainingSample
{
    private sealed class Sentence
    {
        public string Text { get; set; } = "";
    }

    private sealed class ScoredPair
    {
        public string Sentence1 { get; set; } = "";
        public string Sentence2 { get; set; } = "";
        public float Score { get; set; }
    }

    /// <summary>Trains on the first <paramref name="trainPairs"/> STS-B train pairs (0: all 5,749) and evaluates on dev.</summary>
    /// <param name="dataFolder">The folder holding <c>stsb/train.tsv</c> and <c>stsb/dev.tsv</c>.</param>
    /// <param name="trainPairs">Training pairs (0: all).</param>
    /// <param name="devPairs">Dev pairs to evaluate (0: all 1,500).</param>
    /// <param name="epochs">Passes over the training pairs.</param>
    /// <param name="maxTokens">Word pieces per sentence while training and serving.</param>
    public static (double Before, double After) Example(string dataFolder, int trainPairs = 2000, int devPairs = 0, int epochs = 1, int maxTokens = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trainPairs);
        IReadOnlyList<StsPair> train = StsReader.Read(Path.Combine(dataFolder, "stsb", "train.tsv"));
        IReadOnlyList<StsPair> dev = StsReader.Read(Path.Combine(dataFolder, "stsb", "dev.tsv"));
        if (trainPairs > 0)
            train = train.Take(trainPairs).ToList();
        if (devPairs > 0)
            dev = dev.Take(devPairs).ToList();
        Console.WriteLine($"STS-B train: {train.Count} pairs, dev: {dev.Count} pairs");

        var mlContext = new MLContext(seed: 0);
        EncoderModel miniLm = PretrainedEncoders.Load("all-MiniLM-L6-v2");
        double before = Score(mlContext, miniLm, dev, maxTokens);
        Console.WriteLine($"untrained {miniLm.Name}: cosine spearman {before:F4}");

        // CoSENT reads (text, text, score); scores outside the declared 0-5 range would be an error.
        IDataView data = mlContext.Data.LoadFromEnumerable(train.Select(p => new ScoredPair { Sentence1 = p.Sentence1, Sentence2 = p.Sentence2, Score = (float)p.Score }));
        var trainer = mlContext.Transforms.Text.TrainSentenceEncoder(new SentenceEncoderTrainingOptions
        {
            Model = miniLm,
            Loss = new CoSentLoss(),
            TextColumnNames = ["Sentence1", "Sentence2"],
            TargetColumnName = "Score",
            ScoreMinimum = 0,
            ScoreMaximum = 5,
            Training = new Trainers.Training.TrainingOptions { BatchSize = 16, Epochs = epochs, LearningRate = 2e-5 },
            MaxTokens = maxTokens,
            Progress = new Progress<Trainers.Training.TrainingProgress>(p =>
            {
                if (p.Step % 25 == 0 || p.Step == p.TotalSteps)
                    Console.WriteLine($"  step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} ({p.RowsPerSecond:F1} pairs/s)");
            }),
        });
        SentenceEncoderTrainingResult result = trainer.Train(data);
        double after = Score(mlContext, result.Model, dev, maxTokens);
        Console.WriteLine($"trained ({result.Training.Steps} steps, {result.Training.TrainingSeconds:F0} s): cosine spearman {after:F4}");
        return (before, after);
    }

    private static double Score(MLContext mlContext, EncoderModel model, IReadOnlyList<StsPair> pairs, int maxTokens)
    {
        TextEncoderTransformer encoder = mlContext.Transforms.Text
            .EncodeText(new TextEncoderOptions { Model = model, InputColumnName = "Text", OutputColumnName = "Embedding", MaxTokens = maxTokens })
            .Fit(mlContext.Data.LoadFromEnumerable(Array.Empty<Sentence>()));
        double spearman = StsEvaluator.Evaluate(pairs, new TransformerEmbedder(mlContext, encoder, "Text", "Embedding")).CosineSpearman;
        encoder.Dispose();   // the owner ends an EncodeText transformer (it is no IDisposable; see IOwnedTransformer)
        return spearman;
    }
}
