using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Compression;

/// <summary>
/// The compression search space: a choice of layers kept, of the share of attention heads kept, of int8 and of the
/// token keep schedule (keys of <see cref="CompressionConfiguration"/>). Every axis is a <see cref="ChoiceOption"/>, so
/// the grid tuner tries each configuration once.
/// </summary>
public static class CompressionSearchSpace
{
    /// <summary>The space for a model of <paramref name="layerCount"/> layers under <paramref name="options"/>.</summary>
    public static SearchSpace Create(CompressionSweepOptions options, int layerCount)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(layerCount, 1);
        IReadOnlyList<int> layers = options.IsEncoder ? options.Layers ?? DefaultLayers(layerCount) : [layerCount];
        if (layers.FirstOrDefault(l => l > layerCount) is int tooMany and > 0)
            throw new ArgumentOutOfRangeException(nameof(options), tooMany, $"Layers kept must be at most the model's {layerCount}; got {tooMany}.");
        IReadOnlyList<string> tokenKeep = options.IsEncoder ? [CompressionConfiguration.NoTokenPruning] : options.TokenKeep ?? ["1", "0.9", "0.8"];
        return new SearchSpace
        {
            [CompressionConfiguration.LayersKey] = new ChoiceOption(layers.Distinct().OrderByDescending(l => l).Cast<object>().ToArray()),
            [CompressionConfiguration.HeadsKey] = new ChoiceOption(options.HeadsKept.Distinct().OrderByDescending(h => h).Cast<object>().ToArray()),
            [CompressionConfiguration.Int8Key] = options.Int8Only ? new ChoiceOption(true) : new ChoiceOption(false, true),
            [CompressionConfiguration.TokenKeepKey] = new ChoiceOption(tokenKeep.Distinct(StringComparer.Ordinal).Cast<object>().ToArray()),
        };
    }

    /// <summary>All, two thirds and half of the layers (6 -> 6, 4, 3).</summary>
    public static IReadOnlyList<int> DefaultLayers(int layerCount) =>
        new[] { layerCount, (int)Math.Ceiling(layerCount * 2 / 3.0), Math.Max(1, layerCount / 2) }.Distinct().ToArray();
}
