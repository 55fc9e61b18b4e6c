using System.Text.Json.Serialization;
using MLNetExt.Trainers.Training;

namespace MLNetExt.Trainers.Compression;

/// <summary>One classifier's figures in a <see cref="ClassifierCompressionReport"/>.</summary>
public sealed record ClassifierVariantFigures
{
    /// <summary>"original", the pruning method, the token keep schedule, or the student's layers; int8 copies end in " int8".</summary>
    [JsonPropertyName("variant")] public required string Variant { get; init; }

    /// <summary>Attention heads in the graph.</summary>
    [JsonPropertyName("heads")] public int Heads { get; init; }

    /// <summary>Transformer layers in the graph.</summary>
    [JsonPropertyName("layers")] public int Layers { get; init; }

    /// <summary>Heads per layer.</summary>
    [JsonPropertyName("heads_per_layer")] public IReadOnlyList<int> HeadsPerLayer { get; init; } = [];

    /// <summary>Bytes of the saved model.zip (for the original, of its file).</summary>
    [JsonPropertyName("size_bytes")] public long SizeBytes { get; init; }

    /// <summary>The task's dev measures x 100 (accuracy, F1, MCC, or Pearson/Spearman).</summary>
    [JsonPropertyName("dev")] public IReadOnlyDictionary<string, double> Dev { get; init; } = new Dictionary<string, double>();

    /// <summary>The task's primary dev measure x 100.</summary>
    [JsonPropertyName("dev_primary")] public double DevPrimary { get; init; }

    /// <summary>Primary measure as a share of the original's.</summary>
    [JsonPropertyName("dev_retained")] public double DevRetained { get; init; }

    /// <summary>Dev rows per second through the served model (best round).</summary>
    [JsonPropertyName("rows_per_second")] public double RowsPerSecond { get; init; }

    /// <summary>Dev rows per CPU-second of the process (best round).</summary>
    [JsonPropertyName("rows_per_cpu_second")] public double RowsPerCpuSecond { get; init; }

    /// <summary>Rows per second over the original's, same run.</summary>
    [JsonPropertyName("speedup")] public double Speedup { get; init; }

    /// <summary>Rows per CPU-second over the original's, same run.</summary>
    [JsonPropertyName("speedup_cpu")] public double SpeedupCpu { get; init; }

    /// <summary>The compression in one line (kept and removed heads, token schedule, student layers, int8); null for the original.</summary>
    [JsonPropertyName("pruning")] public string? Pruning { get; init; }

    /// <summary>The token keep schedule the variant is served with; null for a variant without token pruning.</summary>
    [JsonPropertyName("token_keep")] public string? TokenKeep { get; init; }

    /// <summary>The speed-up the token keep schedule should give, from the layers' FLOPs at the dev rows' token counts; null without token pruning.</summary>
    [JsonPropertyName("estimated_speedup")] public double? EstimatedSpeedup { get; init; }

    /// <summary>Seconds the pruning or distillation took (scoring or routing, recovery or distillation, export); int8 copies take it from their fp32 model.</summary>
    [JsonPropertyName("pruning_seconds")] public double? PruningSeconds { get; init; }

    /// <summary>SHRP's routing run; null otherwise.</summary>
    [JsonPropertyName("routing")] public TrainingResult? Routing { get; init; }

    /// <summary>The recovery fine-tune.</summary>
    [JsonPropertyName("recovery")] public TrainingResult? Recovery { get; init; }

    /// <summary>A student's distillation run; null for other variants.</summary>
    [JsonPropertyName("distillation")] public TrainingResult? Distillation { get; init; }

    /// <summary>Whether the variant serves int8 weights (ONNX Runtime's integer kernels).</summary>
    [JsonPropertyName("int8")] public bool Int8 { get; init; }

    /// <summary>Where the pruned model was written; null for the original.</summary>
    [JsonPropertyName("model_path")] public string? ModelPath { get; init; }
}

/// <summary>What <see cref="ClassifierCompression.Run"/> did and measured; <c>mlnetext compress --model</c> prints and writes it.</summary>
public sealed record ClassifierCompressionReport
{
    /// <summary>The GLUE task.</summary>
    [JsonPropertyName("task")] public required string Task { get; init; }

    /// <summary>Training rows used for pruning, recovery and distillation.</summary>
    [JsonPropertyName("train_rows")] public int TrainRows { get; init; }

    /// <summary>Dev rows scored and timed.</summary>
    [JsonPropertyName("dev_rows")] public int DevRows { get; init; }

    /// <summary>The unpruned model.</summary>
    [JsonPropertyName("original")] public required ClassifierVariantFigures Original { get; init; }

    /// <summary>One entry per variant made: head pruning methods, token schedules, the student, then the int8 copies.</summary>
    [JsonPropertyName("variants")] public IReadOnlyList<ClassifierVariantFigures> Variants { get; init; } = [];

    /// <summary>Peak working set of the process over the run, MiB (training memory included).</summary>
    [JsonPropertyName("peak_working_set_mib")] public double PeakWorkingSetMiB { get; init; }

    /// <summary>The speed-versus-quality plot; null when not drawn.</summary>
    [JsonPropertyName("plot")] public string? PlotPath { get; init; }

    /// <summary>The output folder.</summary>
    [JsonPropertyName("output_directory")] public required string OutputDirectory { get; init; }
}
