using Microsoft.ML;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Multimodal;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.CrossModal;

/// <summary>What <see cref="CrossModalAlignmentRun.Execute"/> trains and how (the settings of <c>mlnetext train align</c>).</summary>
public sealed class CrossModalAlignmentRunSpec
{
    /// <summary>The UCI Multiple Features folder (<c>mfeat-fou</c> ... <c>mfeat-mor</c>, <c>labels.tsv</c>).</summary>
    public required string DataFolder { get; init; }

    /// <summary>The modes trained, each on the same split. Default both.</summary>
    public IReadOnlyList<CrossModalMode> Modes { get; init; } = [CrossModalMode.ChannelEncoder, CrossModalMode.LinearMap];

    /// <summary>The first this many digits of each class train; the rest of the class tests (fixed split). Default 150 of 200.</summary>
    public int TrainPerClass { get; init; } = 150;

    /// <summary>Test on at most this many of each class's held-out digits (null: all of them).</summary>
    public int? TestPerClass { get; init; }

    /// <summary>The frozen text encoder that embeds the captions (name or Hugging Face-layout folder).</summary>
    public string Encoder { get; init; } = "all-MiniLM-L6-v2";

    /// <summary>Passes over the training digits.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Digits per step (never two of one class: the captions are the class names).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Width of the joint space (channel encoder).</summary>
    public int JointWidth { get; init; } = 128;

    /// <summary>Width of the channel tokens (channel encoder).</summary>
    public int ChannelWidth { get; init; } = 64;

    /// <summary>Probability of hiding each channel of a training digit (channel encoder).</summary>
    public double ChannelDropout { get; init; } = 0.2;

    /// <summary>Seed of batching, dropout and initialisation.</summary>
    public int Seed { get; init; } = 42;
}

/// <summary>One mode's figures.</summary>
/// <param name="Mode">The mode.</param>
/// <param name="Evaluation">Feature -> caption accuracy (also with each channel missing) and caption -> digits precision/recall@10 on the test digits.</param>
/// <param name="Training">Steps, loss and time of the training.</param>
public sealed record CrossModalModeResult(CrossModalMode Mode, CrossModalEvaluationResult Evaluation, TrainingResult Training);

/// <summary>What a run did: the figures <c>mlnetext train align</c> prints and writes as JSON.</summary>
/// <param name="Encoder">The text encoder that embedded the captions.</param>
/// <param name="ChannelNames">The feature channels.</param>
/// <param name="TrainingSamples">Digits trained on.</param>
/// <param name="TestSamples">Digits tested on.</param>
/// <param name="Modes">One result per mode, in the order asked.</param>
public sealed record CrossModalAlignmentRunResult(string Encoder, IReadOnlyList<string> ChannelNames, int TrainingSamples, int TestSamples,
    IReadOnlyList<CrossModalModeResult> Modes);

/// <summary>
/// The library service behind <c>mlnetext train align</c>: reads UCI Multiple Features, embeds one caption per digit
/// class with the frozen text encoder, trains each asked <see cref="CrossModalMode"/> on the first digits of each class
/// and scores the held-out ones with <see cref="CrossModalEvaluation"/>.
/// </summary>
public static class CrossModalAlignmentRun
{
    private sealed class Caption
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Runs <paramref name="spec"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A split that leaves no training or no test digit.</exception>
    public static CrossModalAlignmentRunResult Execute(CrossModalAlignmentRunSpec spec, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Modes.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(spec), "Give at least one mode.");
        MultipleFeaturesDataset data = MultipleFeaturesReader.Read(spec.DataFolder);
        int perClass = data.Digits.Count(d => d == data.Digits[0]);
        if (spec.TrainPerClass < 2 || spec.TrainPerClass >= perClass)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.TrainPerClass, $"TrainPerClass must leave digits of each class for testing: 2 to {perClass - 1}.");
        if (spec.TestPerClass is < 1)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.TestPerClass, "TestPerClass must be at least 1.");

        // Rank of each digit within its class, in file order: the first TrainPerClass train, the next TestPerClass test.
        var seen = new Dictionary<int, int>();
        int[] rank = data.Digits.Select(d => seen[d] = seen.GetValueOrDefault(d) + 1).Select(r => r - 1).ToArray();
        int[] train = Enumerable.Range(0, data.Samples.Count).Where(i => rank[i] < spec.TrainPerClass).ToArray();
        int[] test = Enumerable.Range(0, data.Samples.Count)
            .Where(i => rank[i] >= spec.TrainPerClass && rank[i] < spec.TrainPerClass + (spec.TestPerClass ?? int.MaxValue)).ToArray();
        var all = new MultiChannelFeatures(data.ChannelNames, data.ChannelWidths, data.Samples.Select(s => s.Select(v => (float[]?)v).ToArray()).ToArray());

        int classes = data.Digits.Max() + 1;
        string[] captions = Enumerable.Range(0, classes).Select(MultipleFeaturesDataset.Caption).ToArray();
        var ml = new MLContext(seed: spec.Seed);
        EncoderModel encoder = Directory.Exists(spec.Encoder) ? EncoderModel.Load(spec.Encoder) : PretrainedEncoders.Load(spec.Encoder);
        TextEncoderTransformer textTower = ml.Transforms.Text.EncodeText("Embedding", nameof(Caption.Text), encoder)
            .Fit(ml.Data.LoadFromEnumerable(Array.Empty<Caption>()));
        float[][] captionVectors;
        try
        {
            captionVectors = new TransformerEmbedder(ml, textTower, nameof(Caption.Text), "Embedding").EmbedAll(captions, "captions", cancellationToken: cancellationToken);
        }
        finally
        {
            textTower.Dispose(); // an IOwnedTransformer: its owner ends it
        }

        var results = new List<CrossModalModeResult>();
        foreach (CrossModalMode mode in spec.Modes)
        {
            var options = new CrossModalAlignmentOptions
            {
                Mode = mode, Epochs = spec.Epochs, BatchSize = spec.BatchSize, LearningRate = spec.LearningRate, JointWidth = spec.JointWidth,
                ChannelWidth = spec.ChannelWidth, ChannelDropout = spec.ChannelDropout, Progress = progress,
                Training = new TrainingOptions { Seed = spec.Seed, WeightDecay = 0.01 },
            };
            CrossModalTrainingResult trained = CrossModalAligner.Train(all.Subset(train), train.Select(i => captions[data.Digits[i]]).ToArray(),
                train.Select(i => captionVectors[data.Digits[i]]).ToArray(), options, cancellationToken);
            using CrossModalModel model = trained.Model;
            CrossModalEvaluationResult evaluation = CrossModalEvaluation.Evaluate(model, all.Subset(test), test.Select(i => data.Digits[i]).ToArray(), captionVectors);
            results.Add(new CrossModalModeResult(mode, evaluation, trained.Training));
        }
        return new CrossModalAlignmentRunResult(encoder.Name, data.ChannelNames, train.Length, test.Length, results);
    }
}
