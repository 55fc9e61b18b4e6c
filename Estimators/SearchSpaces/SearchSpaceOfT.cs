using System.Reflection;

namespace MLNetExt.Estimators.SearchSpaces;

/// <summary>
/// A search space read from the attributes on an options class: <see cref="RangeAttribute"/>,
/// <see cref="ChoiceAttribute"/>, <see cref="BooleanChoiceAttribute"/>, <see cref="NestedSearchSpaceAttribute"/>.
/// Defaults come from the values a new <typeparamref name="T"/> holds. Bind a proposal with
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
                UniformDoubleOption d => new UniformDoubleOption(d.Min, d.Max, d.LogBase,
                    current is IConvertible c && ToDouble(c) is double v && v >= d.Min && v <= d.Max ? v : null),
                UniformIntOption i => new UniformIntOption(i.Min, i.Max, i.LogBase,
                    current is int v && v >= i.Min && v <= i.Max ? v : null),
                _ => throw new InvalidOperationException($"Unexpected range on {where}."),
            };
        }
        if (member.GetCustomAttribute<ChoiceAttribute>() is { } choice)
        {
            object[] values = choice.Values.Length > 0 ? choice.Values
                : memberType.IsEnum ? Enum.GetValues(memberType).Cast<object>().ToArray()
                : throw new ArgumentException($"[Choice] on {where} needs values (only enum members may omit them).");
            return WithDefault(values, current);
        }
        if (member.GetCustomAttribute<BooleanChoiceAttribute>() is not null)
        {
            if (memberType != typeof(bool))
                throw new ArgumentException($"[BooleanChoice] on {where} needs a bool member, got {memberType.Name}.");
            return WithDefault([true, false], current);
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

    private static ChoiceOption WithDefault(object[] values, object? current)
    {
        Parameter[] choices = values.Select(v => Parameter.FromObject(v)).ToArray();
        Parameter? defaultValue = current is null ? null : Parameter.FromObject(current);
        return new ChoiceOption(choices, defaultValue is not null && choices.Contains(defaultValue) ? defaultValue : null);
    }

    private static double? ToDouble(IConvertible c)
    {
        try
        {
            return c.ToDouble(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
