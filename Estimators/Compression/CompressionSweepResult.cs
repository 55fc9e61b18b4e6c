using System.Text.Json.Serialization;
using MLNetExt.Estimators.Experiments;

namespace MLNetExt.Estimators.Compression;

/// <summary>What <see cref="CompressionSweep.Run"/> tried and chose; <c>mlnetext auto compress</c> prints it.</summary>
public sealed record CompressionSweepResult
{
    /// <summary>The model compressed (encoder name or folder, or model.zip).</summary>
    [JsonPropertyName("model")] public required string Model { get; init; }

    /// <summary>What the quality column measures.</summary>
    [JsonPropertyName("quality_measure")] public required string QualityMeasure { get; init; }

    /// <summary>The original's quality x 100 (null when no trial measured it).</summary>
    [JsonPropertyName("original_quality")] public double? OriginalQuality { get; init; }

    /// <summary>The constraint.</summary>
    [JsonPropertyName("min_speedup")] public double MinSpeedup { get; init; }

    /// <summary>Which speed ratio the constraint reads.</summary>
    [JsonPropertyName("speed_measure")][JsonConverter(typeof(JsonStringEnumConverter<CompressionSpeedMeasure>))]
    public CompressionSpeedMeasure SpeedMeasure { get; init; }

    /// <summary>Configurations in the search space.</summary>
    [JsonPropertyName("search_space_size")] public int SearchSpaceSize { get; init; }

    /// <summary>Every trial, in the order they finished (resumed ones first).</summary>
    [JsonPropertyName("trials")] public IReadOnlyList<CompressionTrial> Trials { get; init; } = [];

    /// <summary>Trials read back from the checkpoint instead of run.</summary>
    [JsonPropertyName("resumed_trials")] public int ResumedTrials { get; init; }

    /// <summary>The best-quality trial that met the constraint; null when none did (see <see cref="Message"/>).</summary>
    [JsonPropertyName("chosen")] public CompressionTrial? Chosen { get; init; }

    /// <summary>Where the chosen model was written (a folder or a model.zip); null without a chosen trial.</summary>
    [JsonPropertyName("model_path")] public string? ModelPath { get; init; }

    /// <summary>Why nothing was chosen, or null.</summary>
    [JsonPropertyName("message")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Message { get; init; }

    /// <summary>Why the sweep ended.</summary>
    [JsonPropertyName("stop_reason")][JsonConverter(typeof(JsonStringEnumConverter<SweepStopReason>))]
    public SweepStopReason StopReason { get; init; }

    /// <summary>Seconds of the whole run.</summary>
    [JsonPropertyName("seconds")] public double Seconds { get; init; }

    /// <summary>The markdown report (and report.json beside it).</summary>
    [JsonPropertyName("report_path")] public string? ReportPath { get; init; }
}
