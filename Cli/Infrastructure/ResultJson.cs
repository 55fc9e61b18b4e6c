using System.Text.Json;
using MLNetExt.Transforms.IO;

namespace MLNetExt.Cli.Infrastructure;

/// <summary>Writes a library service's typed result as the JSON file a verb's <c>--json</c> asks for (camelCase names, indented, atomic).</summary>
internal static class ResultJson
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The result as JSON text.</summary>
    public static string Serialize<T>(T result) => JsonSerializer.Serialize(result, Options);

    /// <summary>Writes the result to <paramref name="path"/> through a temporary file and a rename.</summary>
    public static void Write<T>(string path, T result) => AtomicFile.WriteAllText(path, Serialize(result));
}
