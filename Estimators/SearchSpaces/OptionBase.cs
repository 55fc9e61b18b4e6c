using System.Text.Json.Serialization;

namespace MLNetExt.Estimators.SearchSpaces;

/// <summary>
/// One dimension group of a search space: maps its values to and from a point of the unit cube [0, 1]^d, where
/// tuners work. <see cref="SearchSpace"/> nests options; the leaves are ranges and choices.
/// </summary>
/// <remarks>
/// Serialises with System.Text.Json, with a <c>"type"</c> discriminator: <c>double</c>, <c>int</c>, <c>choice</c>, <c>nest</c>.
/// </remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FallBackToNearestAncestor)]
[JsonDerivedType(typeof(UniformDoubleOption), "double")]
[JsonDerivedType(typeof(UniformIntOption), "int")]
[JsonDerivedType(typeof(ChoiceOption), "choice")]
[JsonDerivedType(typeof(SearchSpace), "nest")]
public abstract class OptionBase
{
    /// <summary>Number of unit-cube coordinates this option uses.</summary>
    [JsonIgnore]
    public abstract int FeatureSpaceDim { get; }

    /// <summary>
    /// Per coordinate, the number of distinct values it can take (a choice's count, an int range's width), or null
    /// for a continuous coordinate. Grid search uses it.
    /// </summary>
    [JsonIgnore]
    public abstract int?[] Step { get; }

    /// <summary>The unit-cube point of the default value.</summary>
    [JsonIgnore]
    public abstract double[] Default { get; }

    /// <summary>The value at the unit-cube point <paramref name="feature"/> (coordinates outside [0, 1] are clamped).</summary>
    public abstract Parameter SampleFromFeatureSpace(ReadOnlySpan<double> feature);

    /// <summary>The unit-cube point of <paramref name="parameter"/> (inverse of <see cref="SampleFromFeatureSpace"/>).</summary>
    public abstract double[] MappingToFeatureSpace(Parameter parameter);

    /// <summary>Checks a unit-cube point has <see cref="FeatureSpaceDim"/> coordinates.</summary>
    protected void CheckDimension(ReadOnlySpan<double> feature)
    {
        if (feature.Length != FeatureSpaceDim)
            throw new ArgumentException($"Expected a point with {FeatureSpaceDim} coordinates, got {feature.Length}.", nameof(feature));
    }

    /// <summary>Clamps a coordinate into [0, 1]; NaN becomes 0.5.</summary>
    protected static double Clamp01(double x) => double.IsNaN(x) ? 0.5 : Math.Clamp(x, 0.0, 1.0);
}
