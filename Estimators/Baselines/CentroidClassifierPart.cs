using System.Text.Json;
using Microsoft.ML;
using MLNetExt.Transforms.Persistence;

namespace MLNetExt.Estimators.Baselines;

/// <summary>
/// Saves a <see cref="CentroidClassifierTransformer"/> inside a <c>SaveWithEncoders</c> pipeline file: one entry
/// <c>centroid_classifier.json</c> = { "version": 1, "inputColumn": name or null, "classes": [values in key order],
/// "priors": [class shares], "centroids": [[unit-length centroid] per class] or null for the majority class }.
/// </summary>
internal sealed class CentroidClassifierPart : IPipelinePart
{
    private const string EntryName = "centroid_classifier.json";
    private const int Version = 1;

    private sealed record State(int Version, string? InputColumn, string[] Classes, float[] Priors, float[][]? Centroids);

    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public void Write(ITransformer transformer, PipelinePartWriter writer)
    {
        var model = (CentroidClassifierTransformer)transformer;
        var state = new State(Version, model.InputColumn, model.Classes.ToArray(), model.Priors.ToArray(), model.Centroids?.ToArray());
        writer.WriteEntry(EntryName, JsonSerializer.SerializeToUtf8Bytes(state, s_json));
    }

    public ITransformer Read(PipelinePartReader reader)
    {
        string where = $"{reader.Source}:{reader.Folder}{EntryName}";
        State state = JsonSerializer.Deserialize<State>(reader.ReadEntry(EntryName), s_json)
            ?? throw new InvalidDataException($"{where}: empty.");
        if (state.Version != Version)
            throw new InvalidDataException($"{where}: version {state.Version}; this MLNetExt reads version {Version}.");
        if (state.Classes is null || state.Priors is null || state.Classes.Length == 0 || state.Priors.Length != state.Classes.Length
            || (state.Centroids is not null && (state.Centroids.Length != state.Classes.Length || state.InputColumn is null)))
            throw new InvalidDataException($"{where}: the classes, priors, centroids and input column do not fit together.");
        var ml = reader.Environment as MLContext ?? new MLContext();
        return new CentroidClassifierTransformer(ml, state.InputColumn, state.Classes, state.Priors, state.Centroids);
    }
}
