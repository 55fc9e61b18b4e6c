using MLNetExt.Transforms.TokenPruning;

namespace MLNetExt.Trainers.Compression;

/// <summary>What <see cref="ClassifierCompression.Run"/> makes and measures (the settings of <c>mlnetext compress --model</c>).</summary>
public sealed record ClassifierCompressionSpec
{
    /// <summary>A fine-tuned model saved by <c>EncoderFineTuningTransformer.Save</c> (e.g. <c>train classify --out</c>'s model.zip).</summary>
    public required string ModelPath { get; init; }

    /// <summary>The GLUE task the model was fine-tuned on (SST-2, MRPC, CoLA, STS-B, ...).</summary>
    public required string Task { get; init; }

    /// <summary>The task's folder (train.tsv for pruning and recovery, the dev file for the metric).</summary>
    public required string DataFolder { get; init; }

    /// <summary>The head pruning methods to run, each a variant in the report (may be empty when <see cref="TokenKeep"/> is given). Default importance pruning.</summary>
    public IReadOnlyList<HeadPruningMethod> Methods { get; init; } = [HeadPruningMethod.Importance];

    /// <summary>
    /// Token-pruning keep schedules (<see cref="TokenKeepSchedule"/> text: <c>0.8</c> or <c>1,0.9,0.8,0.7,0.6,0.5</c>), each a
    /// variant in the report; empty for none. One model is fine-tuned with token pruning towards the first
    /// (<see cref="TokenPruningTrainer"/>, distilling from the original) and serves every listed schedule.
    /// </summary>
    public IReadOnlyList<string> TokenKeep { get; init; } = [];

    /// <summary>
    /// The teacher layers (0-based) of a distilled student variant (<see cref="ClassifierDistillationTrainer"/>: the
    /// model's embeddings, these layers and its head, trained towards the model's outputs on the training rows); null
    /// for none unless <see cref="StudentLayerCount"/> is set.
    /// </summary>
    public IReadOnlyList<int>? StudentLayers { get; init; }

    /// <summary>Layers of a distilled student variant, spread evenly over the model's (when <see cref="StudentLayers"/> is null); null for none.</summary>
    public int? StudentLayerCount { get; init; }

    /// <summary>Student: weight w of distillation in <c>(1 - w) task loss + w KL</c>, in [0, 1]; 1 (default) learns from the model's outputs alone.</summary>
    public double StudentDistillationWeight { get; init; } = 1;

    /// <summary>Student: temperature of the KL between the class distributions.</summary>
    public double Temperature { get; init; } = 2;

    /// <summary>Student: weight of the hidden-state MSE between each student layer and the teacher layer it was made from (0 for none).</summary>
    public double HiddenStateWeight { get; init; }

    /// <summary>Student: learning rate of the distillation.</summary>
    public double DistillationLearningRate { get; init; } = 1e-4;

    /// <summary>Student: batches per length-sorting window of the distillation (0 shuffles without sorting).</summary>
    public int LengthBucketBatches { get; init; } = 50;

    /// <summary>Also serve an int8 copy (<c>WithRuntime</c>, ONNX Runtime's integer kernels) of the original and of every variant, each a variant in the report.</summary>
    public bool Int8 { get; init; }

    /// <summary>Whether a distilled student is asked for.</summary>
    internal bool HasStudent => StudentLayers is not null || StudentLayerCount is not null;

    /// <summary>Share of the heads removed, in (0, 1); ignored when <see cref="KeepHeads"/> is set.</summary>
    public double PruneFraction { get; init; } = 0.4;

    /// <summary>Heads kept in all instead of a fraction (at least one per layer).</summary>
    public int? KeepHeads { get; init; }

    /// <summary>SHRP: epochs of the routing run before pruning.</summary>
    public double RoutingEpochs { get; init; } = 1;

    /// <summary>SHRP: weight of distillation from the unpruned classifier during routing (0 for the task loss alone).</summary>
    public double DistillationWeight { get; init; }

    /// <summary>Importance batches.</summary>
    public int ImportanceBatches { get; init; } = 32;

    /// <summary>Training rows used (a seeded sample); null for all.</summary>
    public int? MaxTrainRows { get; init; }

    /// <summary>Recovery epochs.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Batch size of scoring, routing and recovery.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Recovery learning rate.</summary>
    public double LearningRate { get; init; } = 5e-5;

    /// <summary>Seed of the sample, the batch order and the initialisation.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Checkpoint folder of the training runs (a subfolder per method, <c>tokens</c>, <c>student</c>); null for none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Folder the compressed models are written to (one subfolder per method, <c>tokens</c>, <c>student</c>, <c>int8/...</c>, each holding model.zip).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Timed rounds over the dev set per model (best kept); the first also gives the metric.</summary>
    public int SpeedRounds { get; init; } = 2;

    /// <summary>Write <c>speed_quality.png</c> (dev metric vs speed-up of every model) into the output folder.</summary>
    public bool Plot { get; init; } = true;
}
