using System.Text.Json.Serialization;

namespace MLNetExt.Trainers.Glue;

/// <summary>The frozen-encoder baseline's dev scores (<see cref="FrozenEncoderBaseline"/>).</summary>
/// <param name="Trainer">The stock ML.NET trainer and the features it was given.</param>
/// <param name="Metrics">The task's GLUE measures on dev, by name (0-1).</param>
/// <param name="Seconds">Wall time of embedding, fitting and scoring.</param>
/// <param name="Cosine">Pair tasks with a score (STS-B): the measures of the untrained cosine similarity of the two embeddings; otherwise null.</param>
public sealed record FrozenBaselineResult(
    string Trainer,
    [property: JsonPropertyName("dev")] IReadOnlyDictionary<string, double> Metrics,
    double Seconds,
    [property: JsonPropertyName("cosineSimilarityDev")] IReadOnlyDictionary<string, double>? Cosine);
