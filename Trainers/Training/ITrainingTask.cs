using static TorchSharp.torch;

namespace MLNetExt.Trainers.Training;

/// <summary>
/// What a trainer gives the <see cref="TrainingLoop"/>: the module to optimise, its training rows, how a batch is
/// built and how its loss is computed, and optionally an evaluation.
/// </summary>
/// <typeparam name="TBatch">A prepared batch (tensors), built in managed code before the forward pass.</typeparam>
public interface ITrainingTask<TBatch> where TBatch : IDisposable
{
    /// <summary>The module whose trainable parameters (those with <c>requires_grad</c>) are optimised and checkpointed.</summary>
    nn.Module Module { get; }

    /// <summary>Number of training rows.</summary>
    int TrainingRowCount { get; }

    /// <summary>
    /// Token length of each training row, for length-bucketed batches (<see cref="TrainingOptions.LengthBucketBatches"/>);
    /// null (the default) when the task cannot tell, and then bucketing is refused.
    /// </summary>
    IReadOnlyList<int>? TrainingRowLengths => null;

    /// <summary>
    /// Keys of each training row (e.g. its texts) that must not meet in one batch, for losses with in-batch negatives
    /// (see <see cref="NoDuplicatesBatchSampler"/>); null (the default) when duplicates in a batch do no harm.
    /// </summary>
    IReadOnlyList<IReadOnlyList<string>>? TrainingRowKeys => null;

    /// <summary>
    /// The training set (0, 1, ...) of each row when the task trains on several; the loop then never mixes two sets in
    /// one batch and lets the sets take turns (round-robin, <see cref="EpochOrder.Batches"/>). Null (the default) for one set.
    /// </summary>
    IReadOnlyList<int>? TrainingRowSources => null;

    /// <summary>Builds the batch of the given training rows.</summary>
    TBatch PrepareBatch(IReadOnlyList<int> rows);

    /// <summary>The scalar loss of a batch, with the module in training mode.</summary>
    Tensor Loss(TBatch batch);

    /// <summary>
    /// Computes the loss of a batch and the gradients of the module's parameters; returns the loss. The default calls
    /// <see cref="Loss"/> and back-propagates it; a task whose loss runs its own backward passes (GradCache) overrides it.
    /// </summary>
    Tensor LossAndGradients(TBatch batch)
    {
        Tensor loss = Loss(batch);
        loss.backward();
        return loss;
    }

    /// <summary>Name of the metric that decides early stopping; null when the task does not evaluate.</summary>
    string? PrimaryMetric { get; }

    /// <summary>Whether a larger <see cref="PrimaryMetric"/> is better.</summary>
    bool HigherIsBetter { get; }

    /// <summary>Evaluates the current module (called with the module in eval mode and gradients off).</summary>
    IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken);
}
