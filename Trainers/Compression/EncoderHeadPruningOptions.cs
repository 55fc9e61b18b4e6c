using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Compression;

/// <summary>Options of <c>mlContext.Transforms.Text.PruneEncoderHeads</c> (<see cref="EncoderHeadPruningTrainer"/>).</summary>
public sealed class EncoderHeadPruningOptions
{
    /// <summary>The encoder whose heads are pruned; null means all-MiniLM-L6-v2 (<see cref="PretrainedEncoders.MiniLM"/>).</summary>
    public EncoderModel? Model { get; set; }

    /// <summary>
    /// The unpruned encoder whose sentence embeddings are the training signal (importance and recovery); null means
    /// <see cref="Model"/> itself. Give the original when <see cref="Model"/> is already a compressed student of it.
    /// </summary>
    public EncoderModel? Teacher { get; set; }

    /// <summary>
    /// How the heads to remove are chosen: <see cref="HeadPruningMethod.Importance"/> (the default; the gradient of the
    /// distillation loss w.r.t. a head mask) or <see cref="HeadPruningMethod.Shrp"/> (a routing run with Top-1 routers and
    /// shared expanders, trained by distillation towards <see cref="Teacher"/>, whose least-used heads are removed).
    /// </summary>
    public HeadPruningMethod Method { get; set; } = HeadPruningMethod.Importance;

    /// <summary>SHRP's routing run when <see cref="Method"/> is <see cref="HeadPruningMethod.Shrp"/>: expander width, routing epochs, stage shares and loss weights.</summary>
    public ShrpOptions Shrp { get; set; } = new();

    /// <summary>Share of all attention heads removed, in (0, 1), at least one head left per layer. Default 0.4.</summary>
    public double PruneFraction { get; set; } = 0.4;

    /// <summary>Batches over which head importance is accumulated (fewer when the text runs out). Default 32.</summary>
    public int ImportanceBatches { get; set; } = 32;

    /// <summary>Rows per importance batch. Default 32.</summary>
    public int ImportanceBatchSize { get; set; } = 32;

    /// <summary>Divide each layer's importance scores by their L2 norm before the global ranking (Michel et al.'s default). Default true.</summary>
    public bool NormalizeImportancePerLayer { get; set; } = true;

    /// <summary>Train the pruned encoder towards the teacher's embeddings afterwards (recovery fine-tune). Default true.</summary>
    public bool Recover { get; set; } = true;

    /// <summary>The column of unlabelled text (String). Default <c>Text</c>.</summary>
    public string TextColumnName { get; set; } = "Text";

    /// <summary>Output column of the fitted <c>EncodeText</c> transformer (vector of Single). Default <c>Embedding</c>.</summary>
    public string OutputColumnName { get; set; } = "Embedding";

    /// <summary>Longest input in tokens, special tokens included, while scoring and training. Default 128.</summary>
    public int MaxTokens { get; set; } = 128;

    /// <summary>Evaluations during the recovery fine-tune (see <see cref="SentenceEncoderTrainingOptions.Evaluators"/>). Empty by default.</summary>
    public IReadOnlyList<SentenceEncoderEvaluator> Evaluators { get; set; } = [];

    /// <summary>
    /// The recovery fine-tune's loop (batch, epochs, learning rate, warmup, seed, threads, checkpoints and resume); its
    /// seed also orders the importance batches. Defaults here: batch 32, 1 epoch, learning rate 1e-4.
    /// </summary>
    public TrainingOptions Training { get; set; } = new() { BatchSize = 32, Epochs = 1, LearningRate = 1e-4 };

    /// <summary>Receives a report after every routing and recovery step.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>A copy whose <see cref="Training"/> options are copied too.</summary>
    public EncoderHeadPruningOptions Clone()
    {
        var copy = (EncoderHeadPruningOptions)MemberwiseClone();
        copy.Training = Training.Clone();
        copy.Shrp = Shrp.Clone();
        copy.Evaluators = Evaluators.ToArray();
        return copy;
    }

    /// <summary>Checks the settings that do not depend on the model; throws naming the bad one and its value.</summary>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(TextColumnName, nameof(TextColumnName));
        ArgumentException.ThrowIfNullOrEmpty(OutputColumnName, nameof(OutputColumnName));
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        Training.Validate();
        HeadImportance.CheckFraction(PruneFraction, nameof(PruneFraction));
        ArgumentNullException.ThrowIfNull(Shrp, nameof(Shrp));
        Shrp.Validate();
        if (ImportanceBatches < 1)
            throw new ArgumentOutOfRangeException(nameof(ImportanceBatches), ImportanceBatches, $"ImportanceBatches must be at least 1; got {ImportanceBatches}.");
        if (ImportanceBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(ImportanceBatchSize), ImportanceBatchSize, $"ImportanceBatchSize must be at least 1; got {ImportanceBatchSize}.");
        if (MaxTokens < 3)
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, $"MaxTokens must be at least 3 ([CLS], one word piece, [SEP]); got {MaxTokens}.");
    }
}
