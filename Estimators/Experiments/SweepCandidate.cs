using System.Text.Json.Serialization;
using Microsoft.ML;

namespace MLNetExt.Estimators.Experiments;

/// <summary>What a candidate of a text sweep is.</summary>
public enum SweepCandidateKind
{
    /// <summary>A trial of the sweep.</summary>
    Trial,

    /// <summary>A zero-training baseline.</summary>
    Baseline,

    /// <summary>The sweep's best pipeline with the library defaults of its components.</summary>
    LibraryDefaults,

    /// <summary>The chosen configuration fitted again on training + validation rows.</summary>
    Refit,
}

/// <summary>One model a text sweep compares: a trial, a baseline, the library defaults or the refit model, with its scores.</summary>
public sealed class SweepCandidate
{
    /// <summary>What it is (e.g. <c>encoder(...) + sdca(...)</c> or <c>cosine(Encoder=all-MiniLM-L6-v2 Pooling=Mean)</c>).</summary>
    public required string Pipeline { get; init; }

    /// <summary>Trial, baseline, library defaults or refit.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<SweepCandidateKind>))]
    public required SweepCandidateKind Kind { get; init; }

    /// <summary>The trial number for a trial; null otherwise.</summary>
    public int? TrialId { get; init; }

    /// <summary>The optimised metric on validation (NaN when not scored there: refit, or failed).</summary>
    public double Metric { get; init; } = double.NaN;

    /// <summary>What the sweep minimises (the metric, negated when higher is better); +infinity when not scored.</summary>
    [JsonIgnore]
    public double Loss { get; init; } = double.PositiveInfinity;

    /// <summary>Every metric of the task on validation (empty for the refit model).</summary>
    public IReadOnlyDictionary<string, double> Validation { get; init; } = new Dictionary<string, double>();

    /// <summary>Every metric of the task on the test file, or null without one.</summary>
    public IReadOnlyDictionary<string, double>? Test { get; set; }

    /// <summary>Seconds it took to fit and score.</summary>
    public double Seconds { get; init; }

    /// <summary>Why it has no scores, or null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    /// <summary>The fitted model (not serialised).</summary>
    [JsonIgnore]
    public ITransformer? Model { get; set; }
}
