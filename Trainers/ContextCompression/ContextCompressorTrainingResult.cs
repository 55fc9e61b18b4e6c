using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.ContextCompression;

/// <summary>What <see cref="ContextCompressorTrainer.Train(IReadOnlyList{ValueTuple{string, string}}, CancellationToken)"/> returns: the trained compressor and the run's figures.</summary>
public sealed class ContextCompressorTrainingResult
{
    internal ContextCompressorTrainingResult(LearnedContextCompressor compressor, TrainingResult training, double initialLoss, double finalLoss)
    {
        Compressor = compressor;
        Training = training;
        InitialLoss = initialLoss;
        FinalLoss = finalLoss;
    }

    /// <summary>The trained compressor (graphs in memory); save it with <see cref="LearnedContextCompressor.Save"/>. The caller disposes it.</summary>
    public LearnedContextCompressor Compressor { get; }

    /// <summary>Steps, losses and throughput of the run.</summary>
    public TrainingResult Training { get; }

    /// <summary>The loss of the first training batch (up to one batch of rows, eval mode) before any step: the untrained compressor.</summary>
    public double InitialLoss { get; }

    /// <summary>The loss of that same batch after training (eval mode, no dropout).</summary>
    public double FinalLoss { get; }
}
