using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// Options of <c>DistillClassifier</c> / <c>DistillRegressor</c> (<see cref="ClassifierDistillationTrainer"/>): which of
/// the fine-tuned teacher's layers the student keeps, and how it learns from the teacher.
/// </summary>
public sealed class ClassifierDistillationOptions
{
    /// <summary>
    /// The teacher's layers (0-based, in order) the student starts from, e.g. <c>[0, 3, 5]</c>; null to spread
    /// <see cref="StudentLayerCount"/> layers evenly from the first to the last.
    /// </summary>
    public IReadOnlyList<int>? StudentLayers { get; set; }

    /// <summary>Layers of the student when <see cref="StudentLayers"/> is null: 1 to the teacher's layer count. Default 3.</summary>
    public int StudentLayerCount { get; set; } = 3;

    /// <summary>
    /// An encoder to train as the student's body instead of a subset of the teacher's layers (any BERT-family encoder
    /// with the teacher's vocabulary, casing and hidden size; the teacher's head is copied onto it); null (the default)
    /// builds the student from <see cref="StudentLayers"/> or <see cref="StudentLayerCount"/>.
    /// </summary>
    public EncoderModel? Student { get; set; }

    /// <summary>
    /// Weight w of distillation in the loss <c>(1 - w) task loss + w distillation</c>, the distillation being the KL
    /// divergence from the teacher's class distribution to the student's at <see cref="Temperature"/> (squared error to
    /// the teacher's value for a regressor). In [0, 1]. Default 1: the teacher's outputs alone, so the training text
    /// needs no label column (unlabelled text works); below 1 the label column is read and rows without a label are skipped.
    /// </summary>
    public double DistillationWeight { get; set; } = 1;

    /// <summary>Temperature that softens both class distributions (Hinton et al. 2015). Positive. Default 2.</summary>
    public double Temperature { get; set; } = 2;

    /// <summary>
    /// Weight of TinyBERT's hidden-state term added to the loss: the mean squared error between each student layer's
    /// output and the output of the teacher layer it stands for (the layer it was made from; for a given
    /// <see cref="Student"/>, layers spread evenly), over real tokens. 0 (the default) leaves it out.
    /// </summary>
    public double HiddenStateWeight { get; set; }

    /// <summary>The label column (key for a classifier, Single for a regressor), read when <see cref="DistillationWeight"/> is below 1. Default <c>Label</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>
    /// The optimisation loop (batch, epochs, learning rate, warmup, seed, threads, length buckets, checkpoints and resume).
    /// Defaults here: batch 32, 1 epoch, learning rate 1e-4, length buckets of 50 batches.
    /// </summary>
    public TrainingOptions Training { get; set; } = new() { BatchSize = 32, Epochs = 1, LearningRate = 1e-4, LengthBucketBatches = 50 };

    /// <summary>Receives a report after every step.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>A copy whose <see cref="Training"/> options and layer list are copied too.</summary>
    public ClassifierDistillationOptions Clone()
    {
        var copy = (ClassifierDistillationOptions)MemberwiseClone();
        copy.Training = Training.Clone();
        copy.StudentLayers = StudentLayers?.ToArray();
        return copy;
    }

    /// <summary>
    /// The teacher layers the student starts from: <see cref="StudentLayers"/> checked against the teacher's
    /// <paramref name="teacherLayers"/>, or <see cref="StudentLayerCount"/> spread evenly (first and last included).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A layer or the count is out of range, or a layer is repeated; the message names the value.</exception>
    public IReadOnlyList<int> ResolveLayers(int teacherLayers) =>
        EncoderDistillationOptions.ResolveLayers(StudentLayers, StudentLayerCount, teacherLayers);

    /// <summary>Whether the training rows need labels (<see cref="DistillationWeight"/> below 1).</summary>
    internal bool NeedsLabels => DistillationWeight < 1;

    /// <summary>Checks the settings that do not depend on the teacher; throws naming the bad one and its value.</summary>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(LabelColumnName, nameof(LabelColumnName));
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        Training.Validate();
        if (double.IsNaN(DistillationWeight) || DistillationWeight < 0 || DistillationWeight > 1)
            throw new ArgumentOutOfRangeException(nameof(DistillationWeight), DistillationWeight, $"DistillationWeight must be in [0, 1]; got {DistillationWeight}.");
        if (!(Temperature > 0) || double.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, $"Temperature must be a positive number; got {Temperature}.");
        if (!(HiddenStateWeight >= 0) || double.IsInfinity(HiddenStateWeight))
            throw new ArgumentOutOfRangeException(nameof(HiddenStateWeight), HiddenStateWeight, $"HiddenStateWeight must be a non-negative number; got {HiddenStateWeight}.");
        if (Student is not null && StudentLayers is not null)
            throw new ArgumentOutOfRangeException(nameof(StudentLayers), string.Join(", ", StudentLayers), "Give either a Student model or StudentLayers, not both.");
    }
}
