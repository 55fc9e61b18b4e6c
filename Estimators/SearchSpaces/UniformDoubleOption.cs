using System.Text.Json.Serialization;

namespace MLNetExt.Estimators.SearchSpaces;

/// <summary>A real number drawn uniformly from [Min, Max], or log-uniformly when <see cref="LogBase"/> is set.</summary>
public sealed class UniformDoubleOption : OptionBase
{
    /// <summary>Creates the range; <paramref name="defaultValue"/> defaults to the (geometric, when log) midpoint.</summary>
    [JsonConstructor]
    public UniformDoubleOption(double min, double max, bool logBase = false, double? defaultValue = null)
    {
        if (!(min < max) || double.IsInfinity(min) || double.IsInfinity(max))
            throw new ArgumentOutOfRangeException(nameof(max), $"A range needs finite min < max; got [{min}, {max}].");
        if (logBase && min <= 0)
            throw new ArgumentOutOfRangeException(nameof(min), $"A log-uniform range needs min > 0; got {min}.");
        if (defaultValue is double d && (d < min || d > max))
            throw new ArgumentOutOfRangeException(nameof(defaultValue), $"The default {d} is outside [{min}, {max}].");
        Min = min;
        Max = max;
        LogBase = logBase;
        DefaultValue = defaultValue;
    }

    /// <summary>Lower end (inclusive).</summary>
    public double Min { get; }

    /// <summary>Upper end (inclusive).</summary>
    public double Max { get; }

    /// <summary>Whether values are spread uniformly in log space.</summary>
    public bool LogBase { get; }

    /// <summary>The default value, or null for the midpoint.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DefaultValue { get; }

    /// <inheritdoc />
    public override int FeatureSpaceDim => 1;

    /// <inheritdoc />
    public override int?[] Step => [null];

    /// <inheritdoc />
    public override double[] Default => DefaultValue is double d ? [ToUnit(d)] : [0.5];

    /// <inheritdoc />
    public override Parameter SampleFromFeatureSpace(ReadOnlySpan<double> feature)
    {
        CheckDimension(feature);
        return Parameter.FromDouble(FromUnit(Clamp01(feature[0])));
    }

    /// <inheritdoc />
    public override double[] MappingToFeatureSpace(Parameter parameter) => [ToUnit(parameter.AsDouble())];

    private double FromUnit(double x)
    {
        double v = LogBase ? Math.Exp(Math.Log(Min) + x * (Math.Log(Max) - Math.Log(Min))) : Min + x * (Max - Min);
        return Math.Clamp(v, Min, Max);
    }

    private double ToUnit(double v)
    {
        v = Math.Clamp(v, Min, Max);
        return Clamp01(LogBase ? (Math.Log(v) - Math.Log(Min)) / (Math.Log(Max) - Math.Log(Min)) : (v - Min) / (Max - Min));
    }
}
