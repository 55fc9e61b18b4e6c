using MLNetExt.Transforms.IO;
using System.Text.Json;
using MLNetExt.Estimators.Tuners;

namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// What a sweep has finished, written after every trial so that a killed sweep resumes without re-running them:
/// the search space it was written for, every finished trial (failed ones included), and the best trial whose
/// model sits beside it in <see cref="BestModelFile"/>.
/// </summary>
/// <remarks>Written atomically (temporary file, then rename): a kill mid-write leaves the previous checkpoint intact.</remarks>
public sealed class SweepCheckpoint
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Format version; readers refuse other versions.</summary>
    public int Version { get; set; } = 1;

    /// <summary>The search space (JSON) the trials were drawn from.</summary>
    public string SearchSpace { get; set; } = "";

    /// <summary>Finished trials in the order they finished.</summary>
    public List<TrialResult> Trials { get; set; } = new();

    /// <summary>Id of the best trial, or null when none succeeded.</summary>
    public int? BestTrialId { get; set; }

    /// <summary>File name (next to the checkpoint) of the best trial's model, or null.</summary>
    public string? BestModelFile { get; set; }

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically.</summary>
    public void Save(string path)
    {
        MLNetExt.Transforms.IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions));
    }

    /// <summary>Reads a checkpoint; throws <see cref="InvalidDataException"/> naming the file when it is not one.</summary>
    public static SweepCheckpoint Load(string path)
    {
        try
        {
            var checkpoint = JsonSerializer.Deserialize<SweepCheckpoint>(File.ReadAllText(path), JsonOptions)
                ?? throw new InvalidDataException($"{path}: empty checkpoint.");
            if (checkpoint.Version != 1)
                throw new InvalidDataException($"{path}: checkpoint version {checkpoint.Version}, expected 1.");
            return checkpoint;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a sweep checkpoint (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }
    }
}
