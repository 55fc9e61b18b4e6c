namespace MLNetExt.Estimators.SearchSpaces;

/// <summary>
/// Marks a numeric property of an options class as a range to search (see <see cref="SearchSpace{T}"/>).
/// An int range gives a <see cref="UniformIntOption"/>, a double range a <see cref="UniformDoubleOption"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class RangeAttribute : Attribute
{
    /// <summary>A real range.</summary>
    public RangeAttribute(double min, double max, bool logBase = false) => Option = new UniformDoubleOption(min, max, logBase);

    /// <summary>An integer range.</summary>
    public RangeAttribute(int min, int max, bool logBase = false) => Option = new UniformIntOption(min, max, logBase);

    internal OptionBase Option { get; }
}

/// <summary>
/// Marks a property of an options class as a choice among the given values; on an enum property with no values,
/// among all its members.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class ChoiceAttribute : Attribute
{
    /// <summary>A choice among <paramref name="values"/>.</summary>
    public ChoiceAttribute(params object[] values) => Values = values;

    internal object[] Values { get; }
}

/// <summary>Marks a bool property of an options class as a choice between true and false.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class BooleanChoiceAttribute : Attribute
{
}

/// <summary>Marks a property whose type is itself an options class with searchable members: it becomes a nested space.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class NestedSearchSpaceAttribute : Attribute
{
}
