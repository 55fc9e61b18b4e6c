namespace MLNetExt.Trainers.Training;

/// <summary>Settings of the shared <see cref="TrainingLoop"/> (AdamW, warmup + linear decay, clipping, checkpoints).</summary>
public sealed class TrainingOptions
{
    /// <summary>Rows per optimisation step.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Passes over the training rows.</summary>
    public int Epochs { get; set; } = 3;

    /// <summary>Stop after this many steps even if epochs remain (null: no limit).</summary>
    public int? MaxSteps { get; set; }

    /// <summary>Peak learning rate of AdamW.</summary>
    public double LearningRate { get; set; } = 5e-5;

    /// <summary>Decoupled weight decay; not applied to biases and LayerNorm weights.</summary>
    public double WeightDecay { get; set; } = 0.01;

    /// <summary>Fraction of the steps over which the learning rate rises linearly from 0; it then decays linearly to 0.</summary>
    public double WarmupFraction { get; set; } = 0.1;

    /// <summary>
    /// Run each batch of <see cref="BatchSize"/> rows as this many micro-batches, one after another, and take one
    /// optimiser step on their gradients weighted by rows. For a loss that averages independent rows (classification,
    /// regression) this is the update of the whole batch with a fraction of the activation memory; a loss that compares
    /// the rows of a batch with each other (in-batch negatives, CoSENT) sees only the rows of each micro-batch.
    /// Default 1 (no accumulation).
    /// </summary>
    public int GradientAccumulationSteps { get; set; } = 1;

    /// <summary>
    /// Length-bucketed batches: the epoch's shuffled rows are sorted by token length within windows of this many
    /// batches, cut into batches and the batches shuffled (<see cref="EpochOrder"/>), so that each batch holds rows of
    /// similar length and little padding. The order stays a pure function of <see cref="Seed"/> and the epoch, so a
    /// resumed run is bit-exact. 0 (default) shuffles rows without bucketing; 50-100 removes most padding on short,
    /// varied texts. Needs a task that reports its row lengths (<see cref="ITrainingTask{TBatch}.TrainingRowLengths"/>).
    /// </summary>
    public int LengthBucketBatches { get; set; }

    /// <summary>Clip the global gradient norm to this value (0 or less: no clipping).</summary>
    public double MaxGradientNorm { get; set; } = 1.0;

    /// <summary>Seed of the data order, the dropout masks and the head initialisation.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Threads for libtorch; 0 means one per core. A resumed run keeps the count its checkpoint was written with.</summary>
    public int Threads { get; set; }

    /// <summary>Evaluate every this many steps (0: at the end of each epoch only).</summary>
    public int EvaluateEverySteps { get; set; }

    /// <summary>Stop when the primary metric has not improved for this many evaluations (0: never stop early).</summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>
    /// When the task evaluates, end the run with the weights of the evaluation with the best primary metric (kept in
    /// memory, and in each checkpoint so that a resumed run keeps it too) rather than those of the last step. Default true.
    /// </summary>
    public bool KeepBestModel { get; set; } = true;

    /// <summary>Folder for checkpoints; null disables checkpointing. A run finding a checkpoint there resumes from it.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Write a checkpoint every this many steps (0: at the end of each epoch only).</summary>
    public int CheckpointEverySteps { get; set; }

    /// <summary>Checks the values; throws <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be at least 1.");
        if (MaxSteps is < 1) throw new ArgumentOutOfRangeException(nameof(MaxSteps), MaxSteps, "MaxSteps must be at least 1.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be positive.");
        if (WarmupFraction is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(WarmupFraction), WarmupFraction, "WarmupFraction must be in [0, 1).");
        if (WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "WeightDecay must not be negative.");
        if (GradientAccumulationSteps < 1) throw new ArgumentOutOfRangeException(nameof(GradientAccumulationSteps), GradientAccumulationSteps, "GradientAccumulationSteps must be at least 1.");
        if (GradientAccumulationSteps > BatchSize) throw new ArgumentOutOfRangeException(nameof(GradientAccumulationSteps), GradientAccumulationSteps, $"GradientAccumulationSteps must not exceed BatchSize ({BatchSize}): each micro-batch needs a row.");
        if (LengthBucketBatches < 0) throw new ArgumentOutOfRangeException(nameof(LengthBucketBatches), LengthBucketBatches, "LengthBucketBatches must not be negative.");
        if (EvaluateEverySteps < 0) throw new ArgumentOutOfRangeException(nameof(EvaluateEverySteps), EvaluateEverySteps, "EvaluateEverySteps must not be negative.");
        if (CheckpointEverySteps < 0) throw new ArgumentOutOfRangeException(nameof(CheckpointEverySteps), CheckpointEverySteps, "CheckpointEverySteps must not be negative.");
        if (EarlyStoppingPatience < 0) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "EarlyStoppingPatience must not be negative.");
    }

    /// <summary>A copy, so that a trainer can lock its settings at Fit.</summary>
    public TrainingOptions Clone() => (TrainingOptions)MemberwiseClone();
}
