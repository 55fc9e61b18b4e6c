using System.Globalization;
using System.Reflection;

namespace MLNetExt.Estimators.SearchSpaces;

/// <summary>
/// A search space read from the attributes on an options class: <see cref="RangeAttribute"/>,
/// <see cref="ChoiceAttribute"/>, <see cref="BooleanChoiceAttribute"/>, <see cref="NestedSearchSpaceAttribute"/>.
/// Defaults come from the values a new <typeparamref name="T"/> holds; a default outside its range or choices, or not
/// convertible to them, is refused with an <see cref="ArgumentException"/> naming the member. Bind a proposal with
/// <c>parameter.AsType&lt;T&gt;()</c> or <see cref="SampleOptions"/>.
/// </summary>
/// <typeparam name="T">The options class; public settable properties or fields carry the attributes.</typeparam>
public sealed class SearchSpace<T> : SearchSpace
    where T : class, new()
{
    /// <summary>Reads the searchable members of <typeparamref name="T"/>.</summary>
    public SearchSpace()
        : base(ReadOptions(typeof(T)))
    {
        if (Options.Count == 0)
            throw new ArgumentException($"{typeof(T).Name} has no member marked [Range], [Choice], [BooleanChoice] or [NestedSearchSpace].");
    }

    /// <summary>The options object at the unit-cube point <paramref name="feature"/>; unmarked members keep their defaults.</summary>
    public T SampleOptions(ReadOnlySpan<double> feature) => SampleFromFeatureSpace(feature).AsType<T>();

    private static Dictionary<string, OptionBase> ReadOptions(Type type)
    {
        object defaults = Activator.CreateInstance(type)
            ?? throw new ArgumentException($"Could not create a default {type.Name}.");
        var options = new Dictionary<string, OptionBase>();
        foreach (MemberInfo member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance))
        {
            if (member is not (PropertyInfo or FieldInfo))
                continue;
            Type memberType = member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType;
            object? current = member is PropertyInfo pi ? pi.GetValue(defaults) : ((FieldInfo)member).GetValue(defaults);
            OptionBase? option = ReadOption(member, memberType, current);
            if (option is not null)
                options[member.Name] = option;
        }
        return options;
    }

    private static OptionBase? ReadOption(MemberInfo member, Type memberType, object? current)
    {
        string where = $"{member.DeclaringType?.Name}.{member.Name}";
        if (member.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            return range.Option switch
            {
                UniformDoubleOption d => new UniformDoubleOption(d.Min, d.Max, d.LogBase, DefaultInRange(where, current, d.Min, d.Max, integer: false)),
                UniformIntOption i => new UniformIntOption(i.Min, i.Max, i.LogBase, (int?)DefaultInRange(where, current, i.Min, i.Max, integer: true)),
                _ => throw new InvalidOperationException($"Unexpected range on {where}."),
            };
        }
        if (member.GetCustomAttribute<ChoiceAttribute>() is { } choice)
        {
            object[] values = choice.Values.Length > 0 ? choice.Values
                : memberType.IsEnum ? Enum.GetValues(memberType).Cast<object>().ToArray()
                : throw new ArgumentException($"[Choice] on {where} needs values (only enum members may omit them).");
            return WithDefault(where, values, current);
        }
        if (member.GetCustomAttribute<BooleanChoiceAttribute>() is not null)
        {
            if (memberType != typeof(bool))
                throw new ArgumentException($"[BooleanChoice] on {where} needs a bool member, got {memberType.Name}.");
            return WithDefault(where, [true, false], current);
        }
        if (member.GetCustomAttribute<NestedSearchSpaceAttribute>() is not null)
        {
            var nested = ReadOptions(memberType);
            if (nested.Count == 0)
                throw new ArgumentException($"[NestedSearchSpace] on {where}: {memberType.Name} has no searchable member.");
            return new SearchSpace(nested);
        }
        return null;
    }

    private static ChoiceOption WithDefault(string where, object[] values, object? current)
    {
        Parameter[] choices = values.Select(v => Parameter.FromObject(v)).ToArray();
        if (current is null)
            return new ChoiceOption(choices, null);
        Parameter defaultValue = Parameter.FromObject(current);
        if (!choices.Contains(defaultValue))
            throw new ArgumentException(
                $"The default of {where} is {Quote(current)}, which is not one of its choices ({string.Join(", ", values.Select(Quote))}).");
        return new ChoiceOption(choices, defaultValue);
    }

    // The member's default as a number inside [min, max] (a whole number when the range is of integers); null when the
    // member has no value. A default that cannot be read as such a number is a mistake in the options class: say so.
    private static double? DefaultInRange(string where, object? current, double min, double max, bool integer)
    {
        if (current is null)
            return null;
        string kind = integer ? "an integer" : "a number";
        double value;
        try
        {
            value = current is IConvertible convertible
                ? convertible.ToDouble(CultureInfo.InvariantCulture)
                : throw new InvalidCastException();
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            throw new ArgumentException($"The default of {where} is {Quote(current)}, which is not {kind} for its [Range({min}, {max})].", e);
        }
        if (integer && value != Math.Floor(value))
            throw new ArgumentException($"The default of {where} is {Quote(current)}, which is not {kind} for its [Range({min}, {max})].");
        if (!(value >= min && value <= max))
            throw new ArgumentException(
                $"The default of {where} is {Quote(current)}, outside its [Range({min}, {max})].");
        return value;
    }

    private static string Quote(object? value) => value switch
    {
        null => "null",
        string text => $"'{text}'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
