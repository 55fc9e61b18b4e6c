using Microsoft.ML;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.ContextCompression;

/// <summary>What <c>mlnetext train context-compressor</c> asks for: a BEIR folder's qrels as training pairs and the trainer's settings.</summary>
public sealed class ContextCompressorRunSpec
{
    /// <summary>BEIR folder whose <see cref="Split"/> qrels give the (query, relevant document) pairs.</summary>
    public required string DataPath { get; init; }

    /// <summary>Qrels split. Default train.</summary>
    public string Split { get; init; } = "train";

    /// <summary>Keep only the first N pairs (qrels order); null for all.</summary>
    public int? MaxRows { get; init; }

    /// <summary>Pretrained encoder name or model folder. Default all-MiniLM-L6-v2.</summary>
    public string Encoder { get; init; } = "all-MiniLM-L6-v2";

    /// <summary>Word pieces per document vector (1, 2, 4, 8). Default 4.</summary>
    public int Ratio { get; init; } = 4;

    /// <summary>Floats per vector; null for the hidden size.</summary>
    public int? Dimension { get; init; }

    /// <summary>Pairs per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Passes over the pairs.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Stop after this many steps; null for all epochs.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 5e-5;

    /// <summary>Fraction of warmup steps.</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>Batches per length-sorting window (<see cref="TrainingOptions.LengthBucketBatches"/>); 0 for none.</summary>
    public int LengthBucketBatches { get; init; }

    /// <summary>Word pieces per document while training.</summary>
    public int MaxTokens { get; init; } = 128;

    /// <summary>Cut documents longer than <see cref="MaxTokens"/> instead of refusing them.</summary>
    public bool TruncateLongText { get; init; }

    /// <summary>Seed of the data order and initialisation.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Folder the trained compressor is written to; null for none.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Checkpoint folder (resumes from it); null for none.</summary>
    public string? CheckpointDirectory { get; init; }
}

/// <summary>What <see cref="ContextCompressorRun.Execute"/> returns.</summary>
/// <param name="Encoder">The encoder trained from.</param>
/// <param name="Pairs">Training pairs used.</param>
/// <param name="Dimension">Floats per compressed vector.</param>
/// <param name="Training">The loop's figures.</param>
/// <param name="InitialLoss">Loss of the first batch before training.</param>
/// <param name="FinalLoss">Loss of the same batch after training.</param>
public sealed record ContextCompressorRunResult(string Encoder, int Pairs, int Dimension, TrainingResult Training, double InitialLoss, double FinalLoss);

/// <summary>Trains a context compressor on a BEIR folder's qrels and writes it (the library side of <c>mlnetext train context-compressor</c>).</summary>
public static class ContextCompressorRun
{
    /// <summary>Builds the pairs, trains, and saves the compressor folder when asked.</summary>
    /// <exception cref="ArgumentException">A setting is out of range or the data is unusable; the message says which.</exception>
    public static ContextCompressorRunResult Execute(ContextCompressorRunSpec spec, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        EncoderModel encoder = Directory.Exists(spec.Encoder) ? EncoderModel.Load(spec.Encoder) : PretrainedEncoders.Load(spec.Encoder);
        IEnumerable<RetrievalTrainingPair> rows = RetrievalTrainingPairs.Build(spec.DataPath, new RetrievalTrainingPairsOptions { Split = spec.Split }, null, cancellationToken);
        if (spec.MaxRows is int cap)
            rows = rows.Take(cap);
        var pairs = rows.Select(r => (r.Query, r.Positive)).ToList();
        var ml = new MLContext(seed: spec.Seed);
        var trainer = ml.Transforms.Text.TrainContextCompressor(new ContextCompressorTrainingOptions
        {
            Model = encoder, Ratio = spec.Ratio, Dimension = spec.Dimension, MaxTokens = spec.MaxTokens, TruncateLongText = spec.TruncateLongText,
            Progress = progress,
            Training = new TrainingOptions
            {
                BatchSize = spec.BatchSize, Epochs = spec.Epochs, MaxSteps = spec.MaxSteps, LearningRate = spec.LearningRate,
                WarmupFraction = spec.WarmupFraction, LengthBucketBatches = spec.LengthBucketBatches, Seed = spec.Seed, CheckpointDirectory = spec.CheckpointDirectory,
            },
        });
        ContextCompressorTrainingResult result = trainer.Train(pairs, cancellationToken);
        using LearnedContextCompressor compressor = result.Compressor;
        if (spec.OutputDirectory is not null)
            compressor.Save(spec.OutputDirectory);
        return new ContextCompressorRunResult(encoder.Name, pairs.Count, compressor.Dimension, result.Training, result.InitialLoss, result.FinalLoss);
    }
}
