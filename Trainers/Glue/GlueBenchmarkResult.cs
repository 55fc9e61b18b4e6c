using System.Text.Json.Serialization;

namespace MLNetExt.Trainers.Glue;

/// <summary>What <see cref="GlueBenchmark.Run"/> did and measured: the settings, and each model's dev scores.</summary>
public sealed record GlueBenchmarkResult
{
    /// <summary>The GLUE task's name (e.g. SST-2).</summary>
    public required string Task { get; init; }

    /// <summary>Training rows used (after <see cref="GlueBenchmarkOptions.MaxTrainRows"/>).</summary>
    public int TrainRows { get; init; }

    /// <summary>Dev rows scored.</summary>
    public int DevRows { get; init; }

    /// <summary>Passes over the training rows.</summary>
    public int Epochs { get; init; }

    /// <summary>Rows per step.</summary>
    public int BatchSize { get; init; }

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; }

    /// <summary>Longest input in tokens.</summary>
    public int MaxTokens { get; init; }

    /// <summary>Seed of sampling, data order, dropout, head initialisation and the baseline's trainer.</summary>
    public int Seed { get; init; }

    /// <summary>The encoder's name.</summary>
    public required string Encoder { get; init; }

    /// <summary>Processor count of the machine.</summary>
    public int Threads { get; init; }

    /// <summary>The command line that produced this result, where the caller records one.</summary>
    public string? Command { get; init; }

    /// <summary>The fine-tuned encoder's figures; null when not run.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FineTunedGlueResult? FineTuned { get; init; }

    /// <summary>The frozen-encoder baseline's figures; null when not run.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FrozenBaselineResult? FrozenBaseline { get; init; }
}
