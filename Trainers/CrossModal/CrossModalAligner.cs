using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Training;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.CrossModal;

/// <summary>
/// Aligns a modality given as feature vectors with a text encoder's space, CLIP-style (symmetric InfoNCE, learnable
/// temperature): either CellCLIP's channel encoder with a text projection (<see cref="CrossModalMode.ChannelEncoder"/>)
/// or LiMBeR's single linear map into the frozen text space (<see cref="CrossModalMode.LinearMap"/>). The text tower is
/// the frozen encoder: the caller gives its embeddings of each row's caption (e.g. from <c>EncodeText</c>).
/// </summary>
/// <remarks>
/// Batches are cut by <see cref="NoDuplicatesBatchSampler"/> on the captions, so two rows sharing a caption are never
/// each other's negatives; each epoch draws new batches. Training runs on the shared <see cref="TrainingLoop"/>, one
/// prepared batch per loop row.
/// </remarks>
public static class CrossModalAligner
{
    /// <summary>Trains the alignment.</summary>
    /// <param name="features">The training samples.</param>
    /// <param name="captions">Each sample's caption (for batching without duplicates).</param>
    /// <param name="captionEmbeddings">The frozen text encoder's embedding of each sample's caption.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels between steps.</param>
    public static CrossModalTrainingResult Train(MultiChannelFeatures features, IReadOnlyList<string> captions, IReadOnlyList<float[]> captionEmbeddings,
        CrossModalAlignmentOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(captions);
        ArgumentNullException.ThrowIfNull(captionEmbeddings);
        options ??= new CrossModalAlignmentOptions();
        options.Validate();
        if (captions.Count != features.Count || captionEmbeddings.Count != features.Count)
            throw new ArgumentException($"{features.Count} samples, {captions.Count} captions and {captionEmbeddings.Count} caption embeddings; give one of each per sample.");
        int textWidth = captionEmbeddings[0].Length;
        if (captionEmbeddings.Any(e => e.Length != textWidth))
            throw new ArgumentException($"The caption embeddings differ in width (the first has {textWidth}).", nameof(captionEmbeddings));
        if (captions.Distinct(StringComparer.Ordinal).Count() < 2)
            throw new ArgumentException("At least two distinct captions are needed for in-batch negatives.", nameof(captions));

        (float[][] mean, float[][] scale) = Standardisation(features);
        manual_seed(options.Training.Seed);
        var network = new CrossModalNetwork(options.Mode, features.ChannelWidths, textWidth, options);
        var model = new CrossModalModel(network, features.ChannelWidths, mean, scale);

        var keys = captions.Select(c => (IReadOnlyList<string>)[c]).ToArray();
        var batches = new List<int[]>();
        for (int epoch = 0; epoch < options.Epochs; epoch++)
            batches.AddRange(NoDuplicatesBatchSampler.Batches(keys, options.BatchSize, new Random(options.Training.Seed + epoch)));

        TrainingOptions loop = options.Training.Clone();
        loop.BatchSize = 1;
        loop.Epochs = 1;
        loop.LearningRate = options.LearningRate;
        var task = new CrossModalTask(model, features, captionEmbeddings, batches, options.Mode == CrossModalMode.ChannelEncoder ? options.ChannelDropout : 0);
        TrainingResult result = new TrainingLoop(loop).Run(task, options.Progress, cancellationToken);
        return new CrossModalTrainingResult(model, result);
    }

    private static (float[][] Mean, float[][] Scale) Standardisation(MultiChannelFeatures features)
    {
        int channels = features.ChannelWidths.Count;
        var mean = new float[channels][];
        var scale = new float[channels][];
        for (int c = 0; c < channels; c++)
        {
            float[][] present = features.Samples.Select(s => s[c]).OfType<float[]>().ToArray();
            int width = features.ChannelWidths[c];
            mean[c] = new float[width];
            scale[c] = new float[width];
            for (int j = 0; j < width; j++)
            {
                double m = present.Length == 0 ? 0 : present.Average(v => (double)v[j]);
                double variance = present.Length == 0 ? 1 : present.Average(v => (v[j] - m) * (v[j] - m));
                mean[c][j] = (float)m;
                scale[c][j] = (float)(1 / Math.Max(Math.Sqrt(variance), 1e-6));
            }
        }
        return (mean, scale);
    }

    private sealed class CrossModalTask(CrossModalModel model, MultiChannelFeatures features, IReadOnlyList<float[]> text,
        IReadOnlyList<int[]> batches, double channelDropout) : ITrainingTask<CrossModalBatch>
    {
        public nn.Module Module => model.Network;

        public int TrainingRowCount => batches.Count;

        public string? PrimaryMetric => null;

        public bool HigherIsBetter => true;

        public CrossModalBatch PrepareBatch(IReadOnlyList<int> rows)
        {
            int[] samples = rows.SelectMany(r => batches[r]).ToArray();
            int channels = features.ChannelWidths.Count;
            bool[,]? drop = null;
            if (channelDropout > 0)
            {
                // Drawn from torch's generator, which the loop seeds per step, so a resumed run drops the same channels.
                float[] draws = rand(samples.Length * channels).data<float>().ToArray();
                drop = new bool[samples.Length, channels];
                for (int s = 0; s < samples.Length; s++)
                {
                    float[]?[] sample = features.Samples[samples[s]];
                    int kept = Enumerable.Range(0, channels).Count(c => sample[c] is not null);
                    for (int c = 0; c < channels && kept > 1; c++)
                        if (sample[c] is not null && draws[s * channels + c] < channelDropout)
                        {
                            drop[s, c] = true;
                            kept--;
                        }
                }
            }
            (Tensor values, Tensor present) = model.Tensors(samples.Select(i => features.Samples[i]).ToArray(), drop);
            Tensor captions = tensor(samples.SelectMany(i => text[i]).ToArray(), [samples.Length, text[0].Length]);
            return new CrossModalBatch(values, present, captions);
        }

        public Tensor Loss(CrossModalBatch batch)
        {
            CrossModalNetwork network = model.Network;
            return SymmetricInfoNceLoss.Forward(network.EmbedFeatures(batch.Features, batch.Present), network.EmbedText(batch.Text), network.LogScale);
        }

        public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken) => new Dictionary<string, double>();
    }

    private sealed class CrossModalBatch(Tensor features, Tensor present, Tensor text) : IDisposable
    {
        public Tensor Features { get; } = features;

        public Tensor Present { get; } = present;

        public Tensor Text { get; } = text;

        public void Dispose()
        {
            Features.Dispose();
            Present.Dispose();
            Text.Dispose();
        }
    }
}

/// <summary>The fitted towers and the run's figures.</summary>
/// <param name="Model">The two towers.</param>
/// <param name="Training">Steps and loss of the run (one loop row per batch).</param>
public sealed record CrossModalTrainingResult(CrossModalModel Model, TrainingResult Training);
