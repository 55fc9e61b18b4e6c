using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MLNetExt.Estimators.SearchSpaces;

/// <summary>
/// A value proposed by a tuner: a number, a string, a bool, or a nested object of named parameters, held as JSON.
/// </summary>
/// <remarks>
/// This is the counterpart of ML.NET AutoML's <c>Parameter</c>: index nested values with <c>parameter["Name"]</c>,
/// read scalars with <see cref="AsDouble"/>, <see cref="AsInt"/>, <see cref="AsString"/>, <see cref="AsBool"/>, and
/// bind a whole object to an options class with <see cref="AsType{T}"/>. It serialises as the plain JSON it holds.
/// </remarks>
[JsonConverter(typeof(ParameterJsonConverter))]
public sealed class Parameter : IEquatable<Parameter>
{
    internal static readonly JsonSerializerOptions BindingOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly JsonNode _node;

    private Parameter(JsonNode node) => _node = node;

    /// <summary>Creates an empty object parameter, to which named children are added with the indexer.</summary>
    public static Parameter CreateNestedParameter() => new(new JsonObject());

    /// <summary>Creates a number parameter.</summary>
    public static Parameter FromDouble(double value) => new(JsonValue.Create(value));

    /// <summary>Creates an integer parameter.</summary>
    public static Parameter FromInt(int value) => new(JsonValue.Create(value));

    /// <summary>Creates a string parameter.</summary>
    public static Parameter FromString(string value) => new(JsonValue.Create(value ?? throw new ArgumentNullException(nameof(value))));

    /// <summary>Creates a bool parameter.</summary>
    public static Parameter FromBool(bool value) => new(JsonValue.Create(value));

    /// <summary>Creates a parameter from any JSON-serialisable value (an options object becomes a nested parameter).</summary>
    public static Parameter FromObject<T>(T value)
    {
        JsonNode? node = JsonSerializer.SerializeToNode(value, BindingOptions);
        return new Parameter(node ?? throw new ArgumentException("A parameter cannot be null.", nameof(value)));
    }

    /// <summary>Parses the JSON text of a parameter.</summary>
    public static Parameter Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode node = JsonNode.Parse(json) ?? throw new FormatException("The JSON text 'null' is not a parameter.");
        return new Parameter(node);
    }

    /// <summary>What kind of value this is.</summary>
    public ParameterKind Kind => _node.GetValueKind() switch
    {
        JsonValueKind.Object => ParameterKind.Object,
        JsonValueKind.String => ParameterKind.String,
        JsonValueKind.True or JsonValueKind.False => ParameterKind.Bool,
        JsonValueKind.Number => ParameterKind.Number,
        JsonValueKind kind => throw new InvalidOperationException($"Unsupported JSON kind {kind} in a parameter."),
    };

    /// <summary>The names of the children of an object parameter, in insertion order.</summary>
    public IEnumerable<string> Keys => AsObject().Select(p => p.Key);

    /// <summary>Whether an object parameter has a child called <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => AsObject().ContainsKey(key);

    /// <summary>Gets or sets a child of an object parameter.</summary>
    public Parameter this[string key]
    {
        get
        {
            JsonObject obj = AsObject();
            if (!obj.TryGetPropertyValue(key, out JsonNode? child) || child is null)
                throw new KeyNotFoundException($"The parameter has no child '{key}' (it has: {string.Join(", ", Keys)}).");
            return new Parameter(child);
        }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            AsObject()[key] = value._node.DeepClone();
        }
    }

    /// <summary>The value as a double (numbers only).</summary>
    public double AsDouble()
    {
        if (Kind != ParameterKind.Number)
            throw new InvalidCastException($"The parameter {this} is a {Kind}, not a number.");
        JsonValue value = _node.AsValue();
        // A value built in memory keeps its CLR type (int, double, ...); one parsed from text is a JsonElement.
        return value.TryGetValue(out double d) ? d
            : value.TryGetValue(out int i) ? i
            : value.TryGetValue(out long l) ? l
            : value.TryGetValue(out float f) ? f
            : _node.Deserialize<double>();
    }

    /// <summary>The value as an int (numbers only; a fractional value is rounded to the nearest integer).</summary>
    public int AsInt() => checked((int)Math.Round(AsDouble(), MidpointRounding.AwayFromZero));

    /// <summary>The value as a string (strings only).</summary>
    public string AsString() => Kind == ParameterKind.String
        ? _node.GetValue<string>()
        : throw new InvalidCastException($"The parameter {this} is a {Kind}, not a string.");

    /// <summary>The value as a bool (bools only).</summary>
    public bool AsBool() => Kind == ParameterKind.Bool
        ? _node.GetValue<bool>()
        : throw new InvalidCastException($"The parameter {this} is a {Kind}, not a bool.");

    /// <summary>Binds the value to <typeparamref name="T"/> (property names match case-insensitively; enums by name).</summary>
    public T AsType<T>()
    {
        try
        {
            return _node.Deserialize<T>(BindingOptions)
                ?? throw new InvalidCastException($"The parameter {this} binds to null as {typeof(T).Name}.");
        }
        catch (JsonException e)
        {
            throw new InvalidCastException($"The parameter {this} cannot be bound to {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>A deep copy.</summary>
    public Parameter Clone() => new(_node.DeepClone());

    /// <summary>The compact JSON text of the value.</summary>
    public override string ToString() => _node.ToJsonString();

    /// <summary>A short human-readable form: <c>name=value</c> pairs of the leaves, nested names joined by dots.</summary>
    public string ToDisplayString()
    {
        var parts = new List<string>();
        AppendLeaves(_node, "", parts);
        return string.Join(" ", parts);
    }

    /// <inheritdoc />
    public bool Equals(Parameter? other) => other is not null && JsonNode.DeepEquals(_node, other._node);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Parameter);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    internal JsonNode Node => _node;

    internal static Parameter FromNode(JsonNode node) => new(node.DeepClone());

    private JsonObject AsObject() => _node as JsonObject
        ?? throw new InvalidOperationException($"The parameter {this} is a {Kind}, not an object.");

    private static void AppendLeaves(JsonNode node, string prefix, List<string> parts)
    {
        if (node is JsonObject obj)
        {
            foreach (var (key, child) in obj)
                if (child is not null)
                    AppendLeaves(child, prefix.Length == 0 ? key : prefix + "." + key, parts);
            return;
        }
        string text = node.GetValueKind() == JsonValueKind.Number
            ? new Parameter(node).AsDouble().ToString("G4", CultureInfo.InvariantCulture)
            : node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();
        parts.Add(prefix.Length == 0 ? text : prefix + "=" + text);
    }
}

/// <summary>The kinds of value a <see cref="Parameter"/> holds.</summary>
public enum ParameterKind
{
    /// <summary>A number.</summary>
    Number,
    /// <summary>A string.</summary>
    String,
    /// <summary>A bool.</summary>
    Bool,
    /// <summary>An object of named child parameters.</summary>
    Object,
}

/// <summary>Writes and reads a <see cref="Parameter"/> as the plain JSON it holds.</summary>
internal sealed class ParameterJsonConverter : JsonConverter<Parameter>
{
    public override Parameter Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        JsonNode node = JsonNode.Parse(ref reader) ?? throw new JsonException("A parameter cannot be null.");
        return Parameter.FromNode(node);
    }

    public override void Write(Utf8JsonWriter writer, Parameter value, JsonSerializerOptions options) => value.Node.WriteTo(writer);
}
