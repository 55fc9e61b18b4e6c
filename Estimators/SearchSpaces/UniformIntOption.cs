using System.Text.Json.Serialization;

namespace MLNetExt.Estimators.SearchSpaces;

/// <summary>
/// An integer from [Min, Max], each value equally likely, or spread log-uniformly when <see cref="LogBase"/> is set
/// (then small values get more of the unit interval than large ones).
/// </summary>
public sealed class UniformIntOption : OptionBase
{
    /// <summary>Creates the range; <paramref name="defaultValue"/> defaults to the value at the middle of the unit interval.</summary>
    [JsonConstructor]
    public UniformIntOption(int min, int max, bool logBase = false, int? defaultValue = null)
    {
        if (min >= max)
            throw new ArgumentOutOfRangeException(nameof(max), $"An int range needs min < max; got [{min}, {max}].");
        if (logBase && min <= 0)
            throw new ArgumentOutOfRangeException(nameof(min), $"A log-uniform range needs min > 0; got {min}.");
        if (defaultValue is int d && (d < min || d > max))
            throw new ArgumentOutOfRangeException(nameof(defaultValue), $"The default {d} is outside [{min}, {max}].");
        Min = min;
        Max = max;
        LogBase = logBase;
        DefaultValue = defaultValue;
    }

    /// <summary>Smallest value.</summary>
    public int Min { get; }

    /// <summary>Largest value.</summary>
    public int Max { get; }

    /// <summary>Whether values are spread log-uniformly.</summary>
    public bool LogBase { get; }

    /// <summary>The default value, or null for the value at 0.5.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? DefaultValue { get; }

    /// <inheritdoc />
    public override int FeatureSpaceDim => 1;

    /// <inheritdoc />
    public override int?[] Step => [Max - Min + 1];

    /// <inheritdoc />
    public override double[] Default => DefaultValue is int d ? [ToUnit(d)] : [0.5];

    /// <inheritdoc />
    public override Parameter SampleFromFeatureSpace(ReadOnlySpan<double> feature)
    {
        CheckDimension(feature);
        return Parameter.FromInt(FromUnit(Clamp01(feature[0])));
    }

    /// <inheritdoc />
    public override double[] MappingToFeatureSpace(Parameter parameter) => [ToUnit(parameter.AsInt())];

    // Value v owns the unit-interval cell [lo(v), lo(v+1)): equal widths when linear, log-widths when LogBase.
    private int FromUnit(double x)
    {
        double v = LogBase
            ? Math.Exp(Math.Log(Min) + x * (Math.Log(Max + 1.0) - Math.Log(Min)))
            : Min + x * (Max - Min + 1.0);
        return (int)Math.Clamp(Math.Floor(v), Min, Max);
    }

    private double ToUnit(int v)
    {
        v = Math.Clamp(v, Min, Max);
        return LogBase
            ? (0.5 * (Math.Log(v) + Math.Log(v + 1.0)) - Math.Log(Min)) / (Math.Log(Max + 1.0) - Math.Log(Min))
            : (v - Min + 0.5) / (Max - Min + 1.0);
    }
}
