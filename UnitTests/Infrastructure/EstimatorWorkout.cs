using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.UnitTests.Infrastructure;

/// <summary>
/// The shared checks every estimator goes through (after ML.NET's TestEstimatorCore):
/// the schema the estimator promises equals the schema its transformer produces, fit -> save -> load gives identical
/// values, and invalid input throws the documented exception at <c>GetOutputSchema</c> and at <c>Fit</c>.
/// </summary>
public static class EstimatorWorkout
{
    /// <summary>Saves a fitted transformer and loads it back. The default goes through <c>mlContext.Model.Save/Load</c>.</summary>
    public delegate ITransformer SaveAndLoad(MLContext mlContext, ITransformer model, DataViewSchema inputSchema);

    /// <summary>Round trip through ML.NET's own model file, in memory.</summary>
    public static ITransformer MLNetRoundTrip(MLContext mlContext, ITransformer model, DataViewSchema inputSchema)
    {
        using var stream = new MemoryStream();
        mlContext.Model.Save(model, inputSchema, stream);
        stream.Position = 0;
        return mlContext.Model.Load(stream, out _);
    }

    /// <summary>Runs the workout; returns the fitted transformer for further checks.</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="estimator">The estimator under test.</param>
    /// <param name="validInput">Data the estimator accepts.</param>
    /// <param name="invalidInput">Data it must reject (wrong type or missing column), or null to skip that check.</param>
    /// <param name="expectedError">The documented exception type for invalid input.</param>
    /// <param name="expectedMessagePart">A part of the message the exception must carry, or null.</param>
    /// <param name="saveAndLoad">The persistence route; defaults to <see cref="MLNetRoundTrip"/>.</param>
    public static ITransformer Run<TTransformer>(
        MLContext mlContext,
        IEstimator<TTransformer> estimator,
        IDataView validInput,
        IDataView? invalidInput = null,
        Type? expectedError = null,
        string? expectedMessagePart = null,
        SaveAndLoad? saveAndLoad = null)
        where TTransformer : class, ITransformer
    {
        // 1. Promised schema == produced schema.
        SchemaShape promised = estimator.GetOutputSchema(MLNetExt.Transforms.Schema.SchemaShapeFactory.Create(validInput.Schema));
        TTransformer fitted = estimator.Fit(validInput);
        IDataView output = fitted.Transform(validInput);
        AssertSchemaMatches(promised, output.Schema);
        AssertSchemaMatches(promised, fitted.GetOutputSchema(validInput.Schema));

        // 2. Fit -> save -> load -> identical values.
        ITransformer loaded = (saveAndLoad ?? MLNetRoundTrip)(mlContext, fitted, validInput.Schema);
        IDataView reloadedOutput = loaded.Transform(validInput);
        AssertSameValues(output, reloadedOutput, promised);

        // 3. Wrong input throws the documented exception, at schema propagation and at Fit.
        if (invalidInput is not null)
        {
            Type errorType = expectedError ?? typeof(ArgumentOutOfRangeException);
            AssertThrows(errorType, expectedMessagePart,
                () => estimator.GetOutputSchema(MLNetExt.Transforms.Schema.SchemaShapeFactory.Create(invalidInput.Schema)), "GetOutputSchema");
            AssertThrows(errorType, expectedMessagePart, () => estimator.Fit(invalidInput), "Fit");
        }
        return fitted;
    }

    /// <summary>Every promised column exists in the real schema with the same item type and vector kind.</summary>
    public static void AssertSchemaMatches(SchemaShape promised, DataViewSchema actual)
    {
        foreach (SchemaShape.Column column in promised)
        {
            DataViewSchema.Column? real = actual.GetColumnOrNull(column.Name);
            Assert.IsNotNull(real, $"Promised column '{column.Name}' is missing from the output.");
            DataViewType realItemType = real.Value.Type is VectorDataViewType vt ? vt.ItemType : real.Value.Type;
            if (column.IsKey)
            {
                // ML.NET describes a key column's shape by its raw type (UInt32) and IsKey; the real column has a key type.
                Assert.IsInstanceOfType<KeyDataViewType>(realItemType, $"Column '{column.Name}' is promised as a key.");
                Assert.AreEqual(column.ItemType.RawType, realItemType.RawType, $"Raw key type of column '{column.Name}'.");
            }
            else
            {
                Assert.AreEqual(column.ItemType, realItemType, $"Item type of column '{column.Name}'.");
            }
            SchemaShape.Column.VectorKind realKind = real.Value.Type switch
            {
                VectorDataViewType { IsKnownSize: true } => SchemaShape.Column.VectorKind.Vector,
                VectorDataViewType => SchemaShape.Column.VectorKind.VariableVector,
                _ => SchemaShape.Column.VectorKind.Scalar,
            };
            Assert.AreEqual(column.Kind, realKind, $"Vector kind of column '{column.Name}'.");
        }
    }

    /// <summary>Compares the promised columns of two data views value by value (exact).</summary>
    public static void AssertSameValues(IDataView expected, IDataView actual, SchemaShape columns)
    {
        foreach (SchemaShape.Column column in columns)
        {
            var a = ReadColumn(expected, column.Name);
            var b = ReadColumn(actual, column.Name);
            Assert.HasCount(a.Count, b, $"Row count of column '{column.Name}'.");
            for (int i = 0; i < a.Count; i++)
                Assert.AreEqual(a[i], b[i], $"Column '{column.Name}', row {i}.");
        }
    }

    private static List<string> ReadColumn(IDataView view, string name)
    {
        // Values are compared through a lossless text form so one routine covers every column type.
        var column = view.Schema[name];
        var values = new List<string>();
        using var cursor = view.GetRowCursor(new[] { column });
        Delegate getter = MakeGetter(cursor, column);
        while (cursor.MoveNext())
            values.Add(Read(getter, column.Type));
        return values;
    }

    private static Delegate MakeGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        Type raw = column.Type.RawType;
        var method = typeof(DataViewRow).GetMethod(nameof(DataViewRow.GetGetter))!.MakeGenericMethod(raw);
        return (Delegate)method.Invoke(cursor, new object[] { column })!;
    }

    private static string Read(Delegate getter, DataViewType type)
    {
        object?[] args = { type.RawType.IsValueType ? Activator.CreateInstance(type.RawType) : null };
        getter.DynamicInvoke(args);
        return Format(args[0]);
    }

    private static string Format(object? value) => value switch
    {
        null => "<null>",
        float f => BitConverter.SingleToInt32Bits(f).ToString(System.Globalization.CultureInfo.InvariantCulture),
        double d => BitConverter.DoubleToInt64Bits(d).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ReadOnlyMemory<char> m => m.ToString(),
        VBuffer<float> v => string.Join(",", v.DenseValues().Select(x => BitConverter.SingleToInt32Bits(x))),
        VBuffer<double> v => string.Join(",", v.DenseValues().Select(x => BitConverter.DoubleToInt64Bits(x))),
        VBuffer<ReadOnlyMemory<char>> v => string.Join("\u0001", v.DenseValues().Select(x => x.ToString())),
        VBuffer<int> v => string.Join(",", v.DenseValues()),
        VBuffer<long> v => string.Join(",", v.DenseValues()),
        VBuffer<bool> v => string.Join(",", v.DenseValues()),
        VBuffer<uint> v => string.Join(",", v.DenseValues()),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    private static void AssertThrows(Type expected, string? messagePart, Action action, string where)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (expected.IsInstanceOfType(ex))
        {
            if (messagePart is not null)
                StringAssert.Contains(ex.Message, messagePart, $"{where}: message of {ex.GetType().Name}.");
            return;
        }
        catch (Exception ex)
        {
            Assert.Fail($"{where}: expected {expected.Name}, got {ex.GetType().Name}: {ex.Message}");
        }
        Assert.Fail($"{where}: expected {expected.Name} for invalid input, nothing was thrown.");
    }
}
