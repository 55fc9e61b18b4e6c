using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExt.Evaluation.Glue;

/// <summary>Reads one column of an <see cref="IDataView"/> as numbers or as class indices of a GLUE task.</summary>
internal static class ColumnReader
{
    public static DataViewSchema.Column Find(IDataView data, string name)
    {
        var column = data.Schema.GetColumnOrNull(name);
        if (column is null)
            throw new ArgumentOutOfRangeException(nameof(name), name,
                $"Could not find column '{name}'; the data has: {string.Join(", ", data.Schema.Select(c => c.Name))}.");
        return column.Value;
    }

    public static List<double> ReadDoubles(IDataView data, string name)
    {
        var column = Find(data, name);
        var values = new List<double>();
        using var cursor = data.GetRowCursor([column]);
        Func<double> get = column.Type.RawType switch
        {
            var t when t == typeof(float) => Getter<float, double>(cursor, column, v => v),
            var t when t == typeof(double) => Getter<double, double>(cursor, column, v => v),
            var t when t == typeof(int) => Getter<int, double>(cursor, column, v => v),
            var t when t == typeof(long) => Getter<long, double>(cursor, column, v => v),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name,
                $"Schema mismatch for column '{name}': expected a number (Single, Double, Int32, Int64), got {column.Type}."),
        };
        while (cursor.MoveNext())
            values.Add(get());
        return values;
    }

    public static List<int> ReadClasses(IDataView data, string name, GlueTask task)
    {
        var column = Find(data, name);
        var values = new List<int>();
        using var cursor = data.GetRowCursor([column]);
        Func<int> get;
        if (column.Type is KeyDataViewType)
        {
            VBuffer<ReadOnlyMemory<char>> keyNames = default;
            bool hasNames = column.HasKeyValues();
            if (hasNames)
                column.GetKeyValues(ref keyNames);
            var names = hasNames ? keyNames.DenseValues().Select(v => v.ToString()).ToArray() : null;
            get = Getter<uint, int>(cursor, column, key =>
            {
                if (key == 0)
                    throw new InvalidOperationException($"Column '{name}' holds a missing key (0).");
                return names is null ? (int)key - 1 : FromText(names[key - 1], task, name);
            });
        }
        else if (column.Type.RawType == typeof(ReadOnlyMemory<char>))
            get = Getter<ReadOnlyMemory<char>, int>(cursor, column, v => FromText(v.ToString(), task, name));
        else if (column.Type.RawType == typeof(bool))
            get = Getter<bool, int>(cursor, column, v => v ? 1 : 0);
        else if (column.Type.RawType == typeof(float))
            get = Getter<float, int>(cursor, column, v => FromNumber(v, task, name));
        else if (column.Type.RawType == typeof(double))
            get = Getter<double, int>(cursor, column, v => FromNumber(v, task, name));
        else if (column.Type.RawType == typeof(int))
            get = Getter<int, int>(cursor, column, v => FromNumber(v, task, name));
        else
            throw new ArgumentOutOfRangeException(nameof(name), name,
                $"Schema mismatch for column '{name}': expected a key, Text, Boolean or numeric class, got {column.Type}.");
        while (cursor.MoveNext())
            values.Add(get());
        return values;
    }

    private static int FromText(string text, GlueTask task, string column)
    {
        int index = task.LabelIndex(text);
        return index >= 0 ? index
            : throw new InvalidOperationException($"Column '{column}' holds '{text}', which is not a {task.Name} label ({string.Join(", ", task.Labels!)}).");
    }

    private static int FromNumber(double value, GlueTask task, string column)
    {
        int index = (int)value;
        if (index != value || index < 0 || index >= task.Labels!.Count)
            throw new InvalidOperationException($"Column '{column}' holds {value}, which is not a {task.Name} class index (0..{task.Labels!.Count - 1}).");
        return index;
    }

    private static Func<TOut> Getter<T, TOut>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, TOut> convert)
    {
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return convert(value);
        };
    }
}
