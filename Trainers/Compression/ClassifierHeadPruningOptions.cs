using MLNetExt.Trainers.Training;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// Options of <c>mlContext.MulticlassClassification.Trainers.PruneClassifierHeads</c> (<see cref="ClassifierHeadPruningTrainer"/>):
/// which heads of a fine-tuned classifier or regressor are removed, how they are chosen, and the recovery fine-tune on the task.
/// </summary>
public sealed class ClassifierHeadPruningOptions
{
    /// <summary>How the heads to remove are chosen. Default <see cref="HeadPruningMethod.Importance"/>.</summary>
    public HeadPruningMethod Method { get; set; } = HeadPruningMethod.Importance;

    /// <summary>Share of all attention heads removed, in (0, 1), at least one head left per layer. Default 0.4.</summary>
    public double PruneFraction { get; set; } = 0.4;

    /// <summary>
    /// Instead of <see cref="PruneFraction"/>: the number of heads kept in all (at least one per layer), e.g. one layer's
    /// worth for an extreme setting. Null (the default) uses <see cref="PruneFraction"/>.
    /// </summary>
    public int? KeepHeads { get; set; }

    /// <summary>Batches of training rows over which head importance is accumulated (fewer when the data runs out). Default 32.</summary>
    public int ImportanceBatches { get; set; } = 32;

    /// <summary>Rows per importance batch. Default 32.</summary>
    public int ImportanceBatchSize { get; set; } = 32;

    /// <summary>Divide each layer's importance scores by their L2 norm before the global ranking (Michel et al.'s default). Default true.</summary>
    public bool NormalizeImportancePerLayer { get; set; } = true;

    /// <summary>SHRP's routing run (<see cref="HeadPruningMethod.Shrp"/>): expander width, routing epochs, stage shares and loss weights.</summary>
    public ShrpOptions Shrp { get; set; } = new();

    /// <summary>
    /// SHRP: weight w of distillation from the unpruned classifier during routing, in [0, 1]: the loss is
    /// <c>(1 - w)</c> task loss <c>+ w</c> KL to the unpruned model's class distribution (temperature 1; squared error for
    /// a regressor), as for token pruning and classifier distillation. 0 (the default): the task loss alone.
    /// </summary>
    public double DistillationWeight { get; set; }

    /// <summary>Fine-tune the pruned classifier on the task afterwards (recovery). Default true.</summary>
    public bool Recover { get; set; } = true;

    /// <summary>The label column (key for a classifier, Single for a regressor). Default <c>Label</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The recovery fine-tune's loop; its seed also orders the importance batches. Defaults: batch 32, 1 epoch, learning rate 5e-5.</summary>
    public TrainingOptions Training { get; set; } = new() { BatchSize = 32, Epochs = 1, LearningRate = 5e-5 };

    /// <summary>Receives a report after every training step.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>A copy whose <see cref="Training"/> options are copied too.</summary>
    public ClassifierHeadPruningOptions Clone()
    {
        var copy = (ClassifierHeadPruningOptions)MemberwiseClone();
        copy.Training = Training.Clone();
        copy.Shrp = Shrp.Clone();
        return copy;
    }

    /// <summary>Checks the settings that do not depend on the model; throws naming the bad one and its value.</summary>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(LabelColumnName, nameof(LabelColumnName));
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        Training.Validate();
        if (KeepHeads is int keep)
        {
            if (keep < 1)
                throw new ArgumentOutOfRangeException(nameof(KeepHeads), keep, $"KeepHeads must be at least 1; got {keep}.");
        }
        else
            HeadImportance.CheckFraction(PruneFraction, nameof(PruneFraction));
        ArgumentNullException.ThrowIfNull(Shrp, nameof(Shrp));
        Shrp.Validate();
        if (!(DistillationWeight >= 0 && DistillationWeight <= 1))
            throw new ArgumentOutOfRangeException(nameof(DistillationWeight), DistillationWeight, $"DistillationWeight must be in [0, 1]; got {DistillationWeight}.");
        if (ImportanceBatches < 1)
            throw new ArgumentOutOfRangeException(nameof(ImportanceBatches), ImportanceBatches, $"ImportanceBatches must be at least 1; got {ImportanceBatches}.");
        if (ImportanceBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(ImportanceBatchSize), ImportanceBatchSize, $"ImportanceBatchSize must be at least 1; got {ImportanceBatchSize}.");
    }
}
