using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.Transforms.Schema;

/// <summary>
/// Builds <see cref="SchemaShape"/> values from outside ML.NET.
/// </summary>
/// <remarks>
/// ML.NET keeps <c>SchemaShape.Create(DataViewSchema)</c> and the <see cref="SchemaShape.Column"/> constructor internal,
/// so an estimator written in another assembly cannot describe its output columns through the public API. This type
/// reaches the two members by reflection once, and fails with a message naming the ML.NET version if they move.
/// </remarks>
public static class SchemaShapeFactory
{
    private static readonly MethodInfo CreateMethod =
        typeof(SchemaShape).GetMethod("Create", BindingFlags.NonPublic | BindingFlags.Static, new[] { typeof(DataViewSchema) })
        ?? throw Missing("SchemaShape.Create(DataViewSchema)");

    private static readonly ConstructorInfo ColumnConstructor =
        typeof(SchemaShape.Column).GetConstructor(
            BindingFlags.NonPublic | BindingFlags.Instance, null,
            new[] { typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape) },
            null)
        ?? throw Missing("SchemaShape.Column(string, VectorKind, DataViewType, bool, SchemaShape)");

    /// <summary>The shape of a concrete schema (what ML.NET's internal <c>SchemaShape.Create</c> returns).</summary>
    public static SchemaShape Create(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return (SchemaShape)CreateMethod.Invoke(null, new object[] { schema })!;
    }

    /// <summary>A column description for <see cref="IEstimator{TTransformer}.GetOutputSchema"/>.</summary>
    public static SchemaShape.Column Column(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType,
        bool isKey = false, SchemaShape? annotations = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(itemType);
        return (SchemaShape.Column)ColumnConstructor.Invoke(new object?[] { name, kind, itemType, isKey, annotations });
    }

    /// <summary>The input shape with the given columns added or replaced (by name), as a transform's output shape.</summary>
    public static SchemaShape With(SchemaShape input, params SchemaShape.Column[] columns)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = input.ToDictionary(c => c.Name);
        foreach (var column in columns)
            result[column.Name] = column;
        return new SchemaShape(result.Values);
    }

    private static MissingMemberException Missing(string member) => new(
        $"ML.NET {typeof(SchemaShape).Assembly.GetName().Version} does not have the internal member {member} that " +
        "MLNetExt uses to describe output schemas; use the Microsoft.ML version named in Directory.Packages.props.");
}
