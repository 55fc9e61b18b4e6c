namespace MLNetExt.Trainers.Compression;

/// <summary>What <see cref="EncoderCompression.Run"/> makes and measures (the settings of <c>mlnetext compress</c>).</summary>
public sealed record EncoderCompressionSpec
{
    /// <summary>Pretrained encoder name or Hugging Face-layout folder to compress. Default all-MiniLM-L6-v2.</summary>
    public string Encoder { get; init; } = "all-MiniLM-L6-v2";

    /// <summary>
    /// The encoder the compressed model is timed and scored against (name or folder); null: <see cref="Encoder"/>. With a
    /// reference, <see cref="Encoder"/> may be a model made earlier (a folder) that is only quantised, or only measured
    /// when nothing else is asked for: how the compression sweep reuses one distilled student for its fp32 and int8 trials.
    /// </summary>
    public string? Reference { get; init; }

    /// <summary>Quantise the (distilled) model's weights to int8 (<see cref="MLNetExt.Transforms.Onnx.EncoderQuantizer"/>).</summary>
    public bool Int8 { get; init; }

    /// <summary>Layers of a distilled student (layer dropping + distillation); null keeps every layer and trains nothing.</summary>
    public int? Layers { get; init; }

    /// <summary>
    /// The teacher's layers (0-based, in order) the student starts from, e.g. <c>[0, 2, 4]</c>; null spreads
    /// <see cref="Layers"/> evenly from the first layer to the last. When given, <see cref="Layers"/> may be null or must equal its count.
    /// </summary>
    public IReadOnlyList<int>? StudentLayers { get; init; }

    /// <summary>Weight of the hidden-state MSE beside the embedding MSE while distilling a student (<see cref="EncoderDistillationOptions.HiddenStateWeight"/>); 0 for none.</summary>
    public double HiddenStateWeight { get; init; }

    /// <summary>Weight of the attention-map KL divergence beside the embedding MSE while distilling a student (<see cref="EncoderDistillationOptions.AttentionWeight"/>); 0 for none.</summary>
    public double AttentionWeight { get; init; }

    /// <summary>
    /// Batches per length-sorting window while distilling or recovering (<see cref="Training.TrainingOptions.LengthBucketBatches"/>):
    /// rows of similar length share a batch, so short sentences are not padded to the length of long documents. 0 shuffles without sorting. Default 50.
    /// </summary>
    public int LengthBucketBatches { get; init; } = 50;

    /// <summary>
    /// Share of all attention heads to remove by importance pruning (<see cref="EncoderHeadPruningTrainer"/>), in (0, 1),
    /// after layer dropping when both are asked for; the recovery fine-tune distils towards the original on
    /// <see cref="DistillTextPaths"/>. Null prunes no heads.
    /// </summary>
    public double? PruneHeads { get; init; }

    /// <summary>How <see cref="PruneHeads"/> chooses the heads: importance (the default) or SHRP's routing run (<see cref="EncoderHeadPruningOptions.Method"/>).</summary>
    public HeadPruningMethod HeadPruningMethod { get; init; } = HeadPruningMethod.Importance;

    /// <summary>Epochs of SHRP's routing run over the distillation text (<see cref="ShrpOptions.RoutingEpochs"/>).</summary>
    public double RoutingEpochs { get; init; } = 1;

    /// <summary>Batches of distillation text over which head importance is accumulated.</summary>
    public int ImportanceBatches { get; init; } = 32;

    /// <summary>
    /// Unlabelled text the student learns from: <c>.txt</c> files (one text per non-empty line; WikiText <c> = Heading = </c>
    /// lines skipped) or tab-separated files with a header, whose <see cref="DistillColumns"/> are read. Needed with <see cref="Layers"/> and <see cref="PruneHeads"/>.
    /// </summary>
    public IReadOnlyList<string> DistillTextPaths { get; init; } = [];

    /// <summary>Header names of the text columns read from tab-separated distillation files. Default sentence1, sentence2 (STS-B, MRPC layout).</summary>
    public IReadOnlyList<string> DistillColumns { get; init; } = ["sentence1", "sentence2"];

    /// <summary>Use at most this many distinct texts (null: all).</summary>
    public int? MaxDistillTexts { get; init; }

    /// <summary>Passes over the distillation text.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Rows per distillation step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate of distillation.</summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>Longest input in tokens while distilling.</summary>
    public int MaxTokens { get; init; } = 128;

    /// <summary>Seed of the data order and dropout.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Checkpoint folder of the distillation (a rerun with the same settings resumes); null for none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Folder the compressed model is written to (Hugging Face layout). Required.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>An STS file (e.g. STS-B dev) scored by the original and the compressed model (cosine Spearman); null to skip.</summary>
    public string? StsPath { get; init; }

    /// <summary>A BEIR folder (e.g. SciFact) whose test split is scored (NDCG@10); null to skip. Costly: every document is encoded.</summary>
    public string? BeirPath { get; init; }

    /// <summary>Also score the original model on <see cref="StsPath"/> and <see cref="BeirPath"/> (false when its figures are known).</summary>
    public bool EvaluateOriginal { get; init; } = true;

    /// <summary>Texts timed for sentences per second (original and compressed, same texts, same run); 0 skips timing.</summary>
    public int SpeedRows { get; init; } = 256;

    /// <summary>Timed rounds per model, alternating; each model's best round is reported.</summary>
    public int SpeedRounds { get; init; } = 2;

    /// <summary>ONNX Runtime intra-op threads while timing and evaluating; null lets ONNX Runtime choose.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Write <c>speed_quality.png</c> (the original and the compressed model: quality vs measured speed-up) beside the
    /// model in <see cref="OutputDirectory"/> when both were timed and scored (STS, or BEIR without STS). Default true.
    /// </summary>
    public bool Plot { get; init; } = true;
}
