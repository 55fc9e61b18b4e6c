using System.Text.Json;
using System.Text.Json.Serialization;
using MLNetExt.Transforms.Attribution;
using MLNetExt.Transforms.IO;

namespace MLNetExt.Evaluation.Reports;

/// <summary>
/// Word attributions as a JSON file, to keep them or compare two runs (<see cref="Faithfulness.AttributionAgreement"/>):
/// <c>{"FormatVersion": 1, "Attributions": [{"Method", "Words", "Scores", "FirstWordCount", "TargetIndex",
/// "TargetValue", "ModelCalls", "Seconds", "CompletenessGap", "Steps"}, ...]}</c>, one entry per text in order.
/// </summary>
public static class AttributionJsonFile
{
    private const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the attributions to <paramref name="path"/>, atomically.</summary>
    public static void Save(IReadOnlyList<TextAttribution> attributions, string path)
    {
        ArgumentNullException.ThrowIfNull(attributions);
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new Document(FormatVersion, attributions.ToArray()), Options));
    }

    /// <summary>Reads a file written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an attribution file of this version, or an entry's words and scores differ in count (the message names the file and entry).</exception>
    public static IReadOnlyList<TextAttribution> Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Attribution file '{path}' does not exist.", path);
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(File.ReadAllText(path), Options);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not an attribution file ({ex.Message}).", ex);
        }
        if (document?.Attributions is null)
            throw new InvalidDataException($"{path}: not an attribution file (no \"Attributions\" array).");
        if (document.FormatVersion != FormatVersion)
            throw new InvalidDataException($"{path}: format version {document.FormatVersion}, this library reads version {FormatVersion}.");
        for (int i = 0; i < document.Attributions.Length; i++)
        {
            TextAttribution entry = document.Attributions[i];
            if (entry.Words is null || entry.Scores is null || entry.Words.Length != entry.Scores.Length)
                throw new InvalidDataException($"{path}, attribution {i}: expected as many scores as words, got {entry.Scores?.Length ?? 0} scores for {entry.Words?.Length ?? 0} words.");
        }
        return document.Attributions;
    }

    private sealed record Document(int FormatVersion, TextAttribution[] Attributions);
}
