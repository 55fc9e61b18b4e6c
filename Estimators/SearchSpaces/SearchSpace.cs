using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNetExt.Estimators.SearchSpaces;

/// <summary>
/// A named set of options (ranges, choices, nested spaces): the space a tuner searches. Its unit-cube point is the
/// concatenation of its options' points, in ordinal key order; its value is an object parameter with one child per option.
/// </summary>
/// <example>
/// <code>
/// var space = new SearchSpace
/// {
///     ["LearningRate"] = new UniformDoubleOption(1e-4, 1, logBase: true, defaultValue: 0.1),
///     ["NumberOfTrees"] = new UniformIntOption(4, 1000, logBase: true, defaultValue: 4),
///     ["Loss"] = new ChoiceOption("hinge", "log"),
/// };
/// Parameter p = space.SampleFromFeatureSpace(space.Default);
/// string json = space.ToJson();
/// </code>
/// </example>
public class SearchSpace : OptionBase
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private readonly SortedDictionary<string, OptionBase> _options = new(StringComparer.Ordinal);

    /// <summary>Creates an empty space; add options with the indexer.</summary>
    public SearchSpace()
    {
    }

    /// <summary>Creates a space holding <paramref name="options"/>.</summary>
    [JsonConstructor]
    public SearchSpace(IReadOnlyDictionary<string, OptionBase> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (name, option) in options)
            this[name] = option;
    }

    /// <summary>The options by name, in ordinal key order (the order of their unit-cube coordinates).</summary>
    public IReadOnlyDictionary<string, OptionBase> Options => _options;

    /// <summary>Gets or sets the option called <paramref name="name"/>.</summary>
    [JsonIgnore]
    public OptionBase this[string name]
    {
        get => _options.TryGetValue(name, out var option)
            ? option
            : throw new KeyNotFoundException($"The search space has no option '{name}' (it has: {string.Join(", ", _options.Keys)}).");
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
            ArgumentNullException.ThrowIfNull(value);
            if (ReferenceEquals(value, this))
                throw new ArgumentException("A search space cannot contain itself.", nameof(value));
            _options[name] = value;
        }
    }

    /// <inheritdoc />
    [JsonIgnore]
    public override int FeatureSpaceDim => _options.Values.Sum(o => o.FeatureSpaceDim);

    /// <inheritdoc />
    [JsonIgnore]
    public override int?[] Step => _options.Values.SelectMany(o => o.Step).ToArray();

    /// <inheritdoc />
    [JsonIgnore]
    public override double[] Default => _options.Values.SelectMany(o => o.Default).ToArray();

    /// <inheritdoc />
    public override Parameter SampleFromFeatureSpace(ReadOnlySpan<double> feature)
    {
        CheckDimension(feature);
        var parameter = Parameter.CreateNestedParameter();
        int offset = 0;
        foreach (var (name, option) in _options)
        {
            int dim = option.FeatureSpaceDim;
            parameter[name] = option.SampleFromFeatureSpace(feature.Slice(offset, dim));
            offset += dim;
        }
        return parameter;
    }

    /// <inheritdoc />
    /// <remarks>An option missing from <paramref name="parameter"/> maps to its default point.</remarks>
    public override double[] MappingToFeatureSpace(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        var feature = new List<double>(FeatureSpaceDim);
        foreach (var (name, option) in _options)
            feature.AddRange(parameter.ContainsKey(name) ? option.MappingToFeatureSpace(parameter[name]) : option.Default);
        return feature.ToArray();
    }

    /// <summary>The default value of every option, as a parameter.</summary>
    public Parameter DefaultParameter() => SampleFromFeatureSpace(Default);

    /// <summary>The space as indented JSON (options carry a <c>"type"</c> discriminator).</summary>
    public string ToJson() => JsonSerializer.Serialize<OptionBase>(this, JsonOptions);

    /// <summary>Reads a space written by <see cref="ToJson"/>.</summary>
    public static SearchSpace FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize<OptionBase>(json, JsonOptions) as SearchSpace
            ?? throw new JsonException("The JSON text does not hold a search space (expected \"type\": \"nest\" at the top).");
    }
}
