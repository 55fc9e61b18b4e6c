using System.Text.Json.Serialization;

namespace MLNetExt.Estimators.Compression;

/// <summary>One row of the compression sweep's trials table.</summary>
public sealed record CompressionTrial
{
    /// <summary>The trial number.</summary>
    [JsonPropertyName("trial")] public int TrialId { get; init; }

    /// <summary>What was tried.</summary>
    [JsonPropertyName("configuration")] public required CompressionConfiguration Configuration { get; init; }

    /// <summary>The configuration in words.</summary>
    [JsonPropertyName("description")] public required string Description { get; init; }

    /// <summary>The quality measure x 100; null for a failed trial.</summary>
    [JsonPropertyName("quality")] public double? Quality { get; init; }

    /// <summary>Texts per wall-clock second over the original's, same trial; null for a failed trial.</summary>
    [JsonPropertyName("speedup")] public double? Speedup { get; init; }

    /// <summary>Texts per CPU-second over the original's, same trial; null for a failed trial.</summary>
    [JsonPropertyName("speedup_cpu")] public double? SpeedupCpu { get; init; }

    /// <summary>The ratio the constraint reads (<see cref="CompressionSweepOptions.SpeedMeasure"/>).</summary>
    [JsonPropertyName("constrained_speedup")] public double? ConstrainedSpeedup { get; init; }

    /// <summary>Whether the trial met the minimum speed-up.</summary>
    [JsonPropertyName("feasible")] public bool Feasible { get; init; }

    /// <summary>Bytes of the model files; null for a failed trial.</summary>
    [JsonPropertyName("size_bytes")] public long? SizeBytes { get; init; }

    /// <summary>Seconds the trial took (training, writing, timing and scoring).</summary>
    [JsonPropertyName("seconds")] public double Seconds { get; init; }

    /// <summary>Peak working set of the process during the trial, MiB.</summary>
    [JsonPropertyName("peak_memory_mib")] public double PeakMemoryMiB { get; init; }

    /// <summary>Why the trial failed, or null.</summary>
    [JsonPropertyName("error")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Error { get; init; }

    /// <summary>Where the trial's model is (a folder or a model.zip); null when none was written (failed, or the unchanged original).</summary>
    [JsonPropertyName("model_path")] public string? ModelPath { get; init; }
}
