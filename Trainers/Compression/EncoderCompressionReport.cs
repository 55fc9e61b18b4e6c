using System.Text.Json.Serialization;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Compression;

/// <summary>One model's figures in an <see cref="EncoderCompressionReport"/> (JSON names as the report writes them).</summary>
public sealed record CompressedModelFigures
{
    /// <summary>What the model is (name, layers, int8 or not).</summary>
    [JsonPropertyName("model")] public required string Model { get; init; }

    /// <summary>Bytes of its files (graph and vocabulary).</summary>
    [JsonPropertyName("size_bytes")] public long SizeBytes { get; init; }

    /// <summary>Sentences per second through <c>EncodeText</c> (best round); null when timing was skipped.</summary>
    [JsonPropertyName("sentences_per_second")] public double? SentencesPerSecond { get; init; }

    /// <summary>Sentences per CPU-second of the process (best round): less sensitive than wall time to other processes' load.</summary>
    [JsonPropertyName("sentences_per_cpu_second")] public double? SentencesPerCpuSecond { get; init; }

    /// <summary>Cosine Spearman x 100 on the STS file; null when not scored.</summary>
    [JsonPropertyName("sts_spearman")] public double? StsSpearman { get; init; }

    /// <summary>NDCG@10 x 100 on the BEIR split; null when not scored.</summary>
    [JsonPropertyName("beir_ndcg_at_10")] public double? BeirNdcgAt10 { get; init; }
}

/// <summary>What <see cref="EncoderCompression.Run"/> did and measured; <c>mlnetext compress</c> prints and writes it.</summary>
public sealed record EncoderCompressionReport
{
    /// <summary>The original encoder's figures.</summary>
    [JsonPropertyName("original")] public required CompressedModelFigures Original { get; init; }

    /// <summary>The compressed encoder's figures.</summary>
    [JsonPropertyName("compressed")] public required CompressedModelFigures Compressed { get; init; }

    /// <summary>compressed / original sentences per second in this run; null when timing was skipped.</summary>
    [JsonPropertyName("speedup")] public double? Speedup { get; init; }

    /// <summary>compressed / original sentences per CPU-second in this run; null when timing was skipped.</summary>
    [JsonPropertyName("speedup_cpu")] public double? SpeedupCpu { get; init; }

    /// <summary>Texts timed per model.</summary>
    [JsonPropertyName("speed_rows")] public int SpeedRows { get; init; }

    /// <summary>Teacher layers the student was made of; null without distillation.</summary>
    [JsonPropertyName("teacher_layers")] public IReadOnlyList<int>? TeacherLayers { get; init; }

    /// <summary>Distinct texts distilled on (0 without distillation).</summary>
    [JsonPropertyName("distill_texts")] public int DistillTexts { get; init; }

    /// <summary>Distillation steps (0 without distillation).</summary>
    [JsonPropertyName("distill_steps")] public int DistillSteps => Distillation?.Steps ?? 0;

    /// <summary>Seconds of distillation training.</summary>
    [JsonPropertyName("distill_seconds")] public double DistillSeconds => Math.Round(Distillation?.TrainingSeconds ?? 0, 1);

    /// <summary>Mean MSE-to-teacher loss of the distillation steps.</summary>
    [JsonPropertyName("distill_mean_loss")] public double? DistillMeanLoss => Distillation?.MeanLoss;

    /// <summary>The distillation run; null without distillation.</summary>
    [JsonIgnore] public TrainingResult? Distillation { get; init; }

    /// <summary>Attention heads before head pruning; null without it.</summary>
    [JsonPropertyName("heads_total")] public int? HeadsTotal { get; init; }

    /// <summary>Attention heads kept by head pruning; null without it.</summary>
    [JsonPropertyName("heads_kept")] public int? HeadsKept { get; init; }

    /// <summary>What head pruning removed (heads per layer and the removed <c>layer:head</c> list); null without it.</summary>
    [JsonPropertyName("head_pruning")] public string? HeadPruning { get; init; }

    /// <summary>Seconds of SHRP's routing run before the heads were cut (0 for importance pruning or without head pruning).</summary>
    [JsonPropertyName("head_routing_seconds")] public double HeadRoutingSeconds => Math.Round(HeadRouting?.TrainingSeconds ?? 0, 1);

    /// <summary>Mean loss of SHRP's routing steps (distillation towards the unpruned encoder plus the routing terms); null without a routing run.</summary>
    [JsonPropertyName("head_routing_mean_loss")] public double? HeadRoutingMeanLoss => HeadRouting?.MeanLoss;

    /// <summary>SHRP's routing run; null for importance pruning or without head pruning.</summary>
    [JsonIgnore] public TrainingResult? HeadRouting { get; init; }

    /// <summary>Seconds of the recovery fine-tune after head pruning.</summary>
    [JsonPropertyName("head_recovery_seconds")] public double HeadRecoverySeconds => Math.Round(HeadRecovery?.TrainingSeconds ?? 0, 1);

    /// <summary>Mean MSE-to-original loss of the recovery steps after head pruning.</summary>
    [JsonPropertyName("head_recovery_mean_loss")] public double? HeadRecoveryMeanLoss => HeadRecovery?.MeanLoss;

    /// <summary>The recovery fine-tune after head pruning; null without it.</summary>
    [JsonIgnore] public TrainingResult? HeadRecovery { get; init; }

    /// <summary>What int8 quantisation did (operators, fusion, range); null without it.</summary>
    [JsonPropertyName("quantization")] public string? Quantization { get; init; }

    /// <summary>The folder the compressed model was written to.</summary>
    [JsonPropertyName("output_directory")] public required string OutputDirectory { get; init; }

    /// <summary>The speed-versus-quality plot; null when none was written (no timing, no quality measure, or not asked).</summary>
    [JsonPropertyName("plot_path")] public string? PlotPath { get; init; }

    /// <summary>The compressed model (graph in memory; also in <see cref="OutputDirectory"/>).</summary>
    [JsonIgnore] public EncoderModel Model { get; init; } = null!;
}
