using System.Text.Json.Serialization;

namespace MLNetExt.Estimators.SearchSpaces;

/// <summary>One of a fixed list of values (strings, numbers or bools); each gets an equal cell of the unit interval.</summary>
public sealed class ChoiceOption : OptionBase
{
    /// <summary>Creates a choice among <paramref name="values"/>; the first is the default.</summary>
    public ChoiceOption(params object[] values)
        : this(values?.Select(v => Parameter.FromObject(v)).ToArray() ?? throw new ArgumentNullException(nameof(values)), null)
    {
    }

    /// <summary>Creates a choice among <paramref name="choices"/> with a default (the first when null).</summary>
    [JsonConstructor]
    public ChoiceOption(Parameter[] choices, Parameter? defaultValue)
    {
        ArgumentNullException.ThrowIfNull(choices);
        if (choices.Length == 0)
            throw new ArgumentException("A choice needs at least one value.", nameof(choices));
        if (choices.Any(c => c.Kind == ParameterKind.Object))
            throw new ArgumentException("Choice values must be strings, numbers or bools; nest a SearchSpace for structured choices.", nameof(choices));
        if (choices.Distinct().Count() != choices.Length)
            throw new ArgumentException($"Choice values must be distinct; got {string.Join(", ", choices.Select(c => c.ToString()))}.", nameof(choices));
        if (defaultValue is not null && Array.IndexOf(choices, defaultValue) < 0)
            throw new ArgumentException($"The default {defaultValue} is not one of the choices.", nameof(defaultValue));
        Choices = choices;
        DefaultValue = defaultValue;
    }

    /// <summary>The values to choose from.</summary>
    public Parameter[] Choices { get; }

    /// <summary>The default value, or null for the first choice.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Parameter? DefaultValue { get; }

    /// <inheritdoc />
    public override int FeatureSpaceDim => 1;

    /// <inheritdoc />
    public override int?[] Step => [Choices.Length];

    /// <inheritdoc />
    public override double[] Default => [CellCenter(DefaultValue is null ? 0 : Array.IndexOf(Choices, DefaultValue))];

    /// <inheritdoc />
    public override Parameter SampleFromFeatureSpace(ReadOnlySpan<double> feature)
    {
        CheckDimension(feature);
        int i = (int)Math.Min(Math.Floor(Clamp01(feature[0]) * Choices.Length), Choices.Length - 1);
        return Choices[i].Clone();
    }

    /// <inheritdoc />
    public override double[] MappingToFeatureSpace(Parameter parameter)
    {
        int i = Array.IndexOf(Choices, parameter);
        if (i < 0)
            throw new ArgumentException($"The value {parameter} is not one of the choices {string.Join(", ", Choices.Select(c => c.ToString()))}.", nameof(parameter));
        return [CellCenter(i)];
    }

    private double CellCenter(int i) => (i + 0.5) / Choices.Length;
}
