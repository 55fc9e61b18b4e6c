using MLNetExt.Trainers.Training;

namespace MLNetExt.Trainers.Compression;

/// <summary>Options of <c>PruneTokens</c> (<see cref="TokenPruningTrainer"/>): the schedule fine-tuning of the Latency Adjustable Transformer.</summary>
public sealed class TokenPruningOptions
{
    /// <summary>
    /// The keep schedule the model is fine-tuned for and served with afterwards: one fraction per layer
    /// (<c>1,0.9,0.8,0.7,0.6,0.5</c>) or one rate (<c>0.8</c>: layer l keeps 0.8^l of the tokens). Default <c>0.8</c>.
    /// The served schedule can be changed later without training (<c>WithTokenKeep</c>).
    /// </summary>
    public string TargetSchedule { get; set; } = "0.8";

    /// <summary>
    /// Share of training batches run with the target schedule; the others draw a schedule between no pruning and
    /// 1.25 times the target's pruning (<c>1 - u (1 - target)</c>, u uniform in [0, 1.25]), so that one model works
    /// across speed settings. In [0, 1]. Default 0.5.
    /// </summary>
    public double TargetShare { get; set; } = 0.5;

    /// <summary>
    /// Weight of distillation from the unpruned model (the input model, run without pruning and without dropout)
    /// in the loss: <c>(1 - w) task loss + w distillation</c>, the distillation being the KL divergence between the
    /// class distributions at <see cref="Temperature"/> (squared error for a regressor). In [0, 1]; 0 trains on the
    /// labels alone. Default 0.5.
    /// </summary>
    public double DistillationWeight { get; set; } = 0.5;

    /// <summary>Temperature that softens both class distributions for distillation (Hinton et al.). Positive. Default 2.</summary>
    public double Temperature { get; set; } = 2;

    /// <summary>The label column (key for a classifier, Single for a regressor). Default <c>Label</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The fine-tuning loop (batch, epochs, learning rate, warmup, seed, threads, checkpoints and resume). Defaults here: batch 32, 1 epoch, learning rate 2e-5.</summary>
    public TrainingOptions Training { get; set; } = new() { BatchSize = 32, Epochs = 1, LearningRate = 2e-5 };

    /// <summary>Receives a report after every step.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>A copy whose <see cref="Training"/> options are copied too.</summary>
    public TokenPruningOptions Clone()
    {
        var copy = (TokenPruningOptions)MemberwiseClone();
        copy.Training = Training.Clone();
        return copy;
    }

    /// <summary>Checks the settings that do not depend on the model; throws naming the bad one and its value.</summary>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(TargetSchedule, nameof(TargetSchedule));
        ArgumentException.ThrowIfNullOrEmpty(LabelColumnName, nameof(LabelColumnName));
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        Training.Validate();
        if (double.IsNaN(TargetShare) || TargetShare < 0 || TargetShare > 1)
            throw new ArgumentOutOfRangeException(nameof(TargetShare), TargetShare, $"TargetShare must be in [0, 1]; got {TargetShare}.");
        if (double.IsNaN(DistillationWeight) || DistillationWeight < 0 || DistillationWeight > 1)
            throw new ArgumentOutOfRangeException(nameof(DistillationWeight), DistillationWeight, $"DistillationWeight must be in [0, 1]; got {DistillationWeight}.");
        if (!(Temperature > 0) || double.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, $"Temperature must be a positive number; got {Temperature}.");
    }
}
