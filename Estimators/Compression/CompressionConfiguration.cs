using System.Globalization;
using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Compression;

/// <summary>One point of the compression search space: layers kept, share of attention heads kept, int8, token keep schedule.</summary>
/// <param name="Layers">Transformer layers kept (a distilled student when fewer than the original's).</param>
/// <param name="HeadsKept">Share of the attention heads kept, in (0, 1] (importance pruning with recovery below 1).</param>
/// <param name="Int8">Weights quantised to int8.</param>
/// <param name="TokenKeep">Token keep schedule served (fine-tuned classifiers); <c>1</c> prunes no tokens.</param>
public sealed record CompressionConfiguration(int Layers, double HeadsKept, bool Int8, string TokenKeep)
{
    /// <summary>Search space key of the layers kept.</summary>
    public const string LayersKey = "layers";

    /// <summary>Search space key of the share of heads kept.</summary>
    public const string HeadsKey = "heads";

    /// <summary>Search space key of int8.</summary>
    public const string Int8Key = "int8";

    /// <summary>Search space key of the token keep schedule.</summary>
    public const string TokenKeepKey = "token_keep";

    /// <summary>The schedule text that prunes no tokens.</summary>
    public const string NoTokenPruning = "1";

    /// <summary>Whether tokens are pruned.</summary>
    public bool PrunesTokens => TokenKeep != NoTokenPruning;

    /// <summary>Whether this configuration changes nothing in a model of <paramref name="layerCount"/> layers.</summary>
    public bool IsOriginal(int layerCount) => Layers == layerCount && HeadsKept >= 1 && !Int8 && !PrunesTokens;

    /// <summary>Whether the configuration needs training (fewer layers or heads).</summary>
    public bool NeedsTraining(int layerCount) => Layers < layerCount || HeadsKept < 1;

    /// <summary>Reads a configuration proposed by a tuner over <see cref="CompressionSearchSpace"/>.</summary>
    public static CompressionConfiguration FromParameter(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return new CompressionConfiguration(parameter[LayersKey].AsInt(), parameter[HeadsKey].AsDouble(), parameter[Int8Key].AsBool(), parameter[TokenKeepKey].AsString());
    }

    /// <summary>The configuration in words, e.g. <c>3 of 6 layers, 75% of heads, int8</c>.</summary>
    public string Describe(int layerCount)
    {
        var parts = new List<string>();
        if (Layers < layerCount)
            parts.Add($"{Layers} of {layerCount} layers");
        if (HeadsKept < 1)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{HeadsKept * 100:0.#}% of heads"));
        if (PrunesTokens)
            parts.Add($"token keep {TokenKeep}");
        if (parts.Count == 0)
            parts.Add("all layers and heads");
        parts.Add(Int8 ? "int8" : "fp32");
        return string.Join(", ", parts);
    }
}
