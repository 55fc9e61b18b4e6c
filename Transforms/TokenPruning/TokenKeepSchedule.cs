using System.Globalization;

namespace MLNetExt.Transforms.TokenPruning;

/// <summary>
/// How many tokens each layer of a token-pruned encoder processes (the Latency Adjustable Transformer's keep schedule):
/// entry <c>l</c> is the fraction of a sentence's real tokens ([CLS] and [SEP] included, padding never counted) that
/// layer <c>l</c> sees. Layer 0 sees every token (there is no attention yet to rank them by), so the first entry is 1;
/// the entries never grow (a pruned token does not come back). Layer <c>l</c> keeps
/// <c>ceil(fraction[l] * length)</c> tokens of a sentence of <c>length</c> tokens, at least [CLS].
/// </summary>
/// <remarks>
/// Written as comma-separated fractions, one per layer (<c>1,0.9,0.8,0.7,0.6,0.5</c>), or as one rate <c>r</c> that
/// keeps <c>r^l</c> of the tokens in layer <c>l</c> (<c>0.8</c> on six layers: 1, 0.8, 0.64, 0.512, 0.41, 0.328).
/// The fractions are held as 32-bit floats so that the ONNX graph, TorchSharp and the cost estimate count the same tokens.
/// </remarks>
public sealed class TokenKeepSchedule : IEquatable<TokenKeepSchedule>
{
    private readonly float[] _fractions;

    private TokenKeepSchedule(float[] fractions) => _fractions = fractions;

    /// <summary>The fraction of real tokens each layer processes, by layer.</summary>
    public IReadOnlyList<float> Fractions => _fractions;

    /// <summary>Number of layers the schedule is for.</summary>
    public int LayerCount => _fractions.Length;

    /// <summary>True when every layer sees every token (the unpruned model).</summary>
    public bool KeepsEverything => _fractions.All(f => f >= 1f);

    /// <summary>The schedule that prunes nothing, for <paramref name="layers"/> layers.</summary>
    public static TokenKeepSchedule Full(int layers) => Create(Enumerable.Repeat(1.0, CheckLayers(layers)).ToArray(), layers);

    /// <summary>Layer <c>l</c> keeps <c>rate^l</c> of the tokens.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not in (0, 1], or the layer count is below 1.</exception>
    public static TokenKeepSchedule Geometric(double rate, int layers)
    {
        CheckLayers(layers);
        CheckFraction(rate, "rate");
        return Create(Enumerable.Range(0, layers).Select(l => Math.Pow(rate, l)).ToArray(), layers);
    }

    /// <summary>A schedule from one fraction per layer.</summary>
    /// <exception cref="ArgumentException">The count differs from <paramref name="layers"/>, the first is not 1, a fraction
    /// is not in (0, 1] (0, negative, above 1, NaN), or a fraction is larger than the one before; the message names the layer and the value.</exception>
    public static TokenKeepSchedule Create(IReadOnlyList<double> fractions, int layers)
    {
        ArgumentNullException.ThrowIfNull(fractions);
        CheckLayers(layers);
        if (fractions.Count != layers)
            throw new ArgumentException($"The token keep schedule has {fractions.Count} fractions ({Format(fractions)}) but the encoder has {layers} layers; give one fraction per layer or a single rate.", nameof(fractions));
        var values = new float[layers];
        for (int l = 0; l < layers; l++)
        {
            CheckFraction(fractions[l], $"layer {l}");
            values[l] = (float)fractions[l];
            if (l == 0 && values[0] != 1f)
                throw new ArgumentException($"The token keep fraction of layer 0 must be 1 (layer 0 sees every token: there is no attention yet to rank them by); got {Format(fractions[0])}.", nameof(fractions));
            if (l > 0 && values[l] > values[l - 1])
                throw new ArgumentException($"The token keep fraction of layer {l} ({Format(fractions[l])}) is larger than that of layer {l - 1} ({Format(fractions[l - 1])}); pruned tokens do not come back, so the fractions must not grow.", nameof(fractions));
        }
        return new TokenKeepSchedule(values);
    }

    /// <summary>
    /// Reads <c>1,0.9,0.8,0.7,0.6,0.5</c> (one fraction per layer) or <c>0.8</c> (one rate, see <see cref="Geometric"/>);
    /// <c>1</c> is the unpruned schedule.
    /// </summary>
    /// <exception cref="ArgumentException">The text is not a number list, or a value is out of range (see <see cref="Create"/>).</exception>
    public static TokenKeepSchedule Parse(string text, int layers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new ArgumentException($"The token keep schedule '{text}': '{parts[i]}' (entry {i + 1}) is not a number; expected fractions such as 1,0.9,0.8 or a single rate such as 0.8.", nameof(text));
        return values.Length == 1 ? Geometric(values[0], layers) : Create(values, layers);
    }

    /// <summary>
    /// True when the tokens are ranked and cut after layer <paramref name="layer"/>: the next layer keeps a smaller
    /// fraction than this one. Only these layers need their attention probabilities; every other layer runs as in the
    /// unpruned model (an equal fraction keeps the same tokens, so no ranking is needed).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The layer is not one of the schedule's.</exception>
    public bool PrunesAfter(int layer)
    {
        if (layer < 0 || layer >= _fractions.Length)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"The schedule has {_fractions.Length} layers; got layer {layer}.");
        return layer + 1 < _fractions.Length && _fractions[layer + 1] < _fractions[layer];
    }

    /// <summary>The layers after which tokens are ranked and cut (<see cref="PrunesAfter"/>), in order.</summary>
    public IReadOnlyList<int> PruningLayers => Enumerable.Range(0, _fractions.Length).Where(PrunesAfter).ToArray();

    /// <summary>Tokens layer <paramref name="layer"/> processes of a sentence of <paramref name="length"/> real tokens (at least 1: [CLS]).</summary>
    public int KeptTokens(int layer, int length) => KeptTokens(_fractions[layer], length);

    /// <summary>The count rule every implementation shares: <c>max(1, ceil(fraction * length))</c> in 32-bit floats.</summary>
    internal static int KeptTokens(float fraction, int length) => length <= 0 ? 0 : Math.Max(1, (int)MathF.Ceiling(fraction * length));

    /// <summary>The fractions, comma-separated (what <see cref="Parse"/> reads back).</summary>
    public override string ToString() => string.Join(",", _fractions.Select(f => f.ToString("0.###", CultureInfo.InvariantCulture)));

    /// <inheritdoc/>
    public bool Equals(TokenKeepSchedule? other) => other is not null && _fractions.AsSpan().SequenceEqual(other._fractions);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TokenKeepSchedule);

    /// <inheritdoc/>
    public override int GetHashCode() => _fractions.Aggregate(17, (h, f) => h * 31 + f.GetHashCode());

    private static int CheckLayers(int layers) => layers >= 1 ? layers
        : throw new ArgumentOutOfRangeException(nameof(layers), layers, $"An encoder has at least one layer; got {layers}.");

    private static void CheckFraction(double value, string what)
    {
        if (double.IsNaN(value) || !(value > 0) || value > 1)
            throw new ArgumentOutOfRangeException(what, value,
                $"The token keep fraction of {what} must be in (0, 1] (0 would prune every token, above 1 would add tokens); got {Format(value)}.");
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Format(IReadOnlyList<double> values) => string.Join(",", values.Select(Format));
}
