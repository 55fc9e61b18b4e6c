using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Estimators.Pipelines;

namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// A delimited text file with a header (tab-separated, or comma-separated with quoting when the name ends in
/// <c>.csv</c>) read as a label column and one or more text columns. GLUE's TSV files are read as they are.
/// </summary>
public sealed class TextDataset
{
    private TextDataset(string path, IDataView data, long rows, string label, IReadOnlyList<string> text)
    {
        Path = path;
        Data = data;
        RowCount = rows;
        LabelColumn = label;
        TextColumns = text;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The rows: the label column (string for classification, float for regression) and the text columns, by their header names.</summary>
    public IDataView Data { get; }

    /// <summary>Number of rows read.</summary>
    public long RowCount { get; }

    /// <summary>Name of the label column.</summary>
    public string LabelColumn { get; }

    /// <summary>Names of the text columns.</summary>
    public IReadOnlyList<string> TextColumns { get; }

    /// <summary>Reads <paramref name="path"/>; throws <see cref="InvalidDataException"/> naming the file, line and column when the data does not fit.</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="path">The file.</param>
    /// <param name="labelColumn">Header name of the label.</param>
    /// <param name="textColumns">Header names of the text columns.</param>
    /// <param name="task">Classification reads the label as a string, regression as a float.</param>
    /// <param name="maxRows">Read only the first rows (null: all).</param>
    public static TextDataset Load(MLContext mlContext, string path, string labelColumn, IReadOnlyList<string> textColumns, SweepTask task, int? maxRows = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumn);
        ArgumentNullException.ThrowIfNull(textColumns);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The dataset file '{path}' does not exist.", path);
        bool csv = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        char separator = csv ? ',' : '\t';
        string header = File.ReadLines(path).FirstOrDefault()?.TrimStart('\uFEFF')
            ?? throw new InvalidDataException($"{path}: the file is empty; expected a header line.");
        string[] names = header.Split(separator).Select(n => n.Trim().Trim('"')).ToArray();

        int Index(string name, string role)
        {
            int i = Array.IndexOf(names, name);
            if (i < 0)
                throw new InvalidDataException($"{path}: line 1: no {role} column '{name}' in the header; the header has: {string.Join(", ", names)}.");
            return i;
        }

        var columns = new List<TextLoader.Column>
        {
            new(labelColumn, task == SweepTask.Regression ? DataKind.Single : DataKind.String, Index(labelColumn, "label")),
        };
        foreach (string text in textColumns)
        {
            if (text == labelColumn || columns.Any(c => c.Name == text))
                throw new ArgumentException($"The column '{text}' is named twice.", nameof(textColumns));
            columns.Add(new TextLoader.Column(text, DataKind.String, Index(text, "text")));
        }
        var loader = mlContext.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = columns.ToArray(),
            Separators = [separator],
            HasHeader = true,
            AllowQuoting = csv,
            TrimWhitespace = false,
        });
        IDataView data = loader.Load(path);
        if (maxRows is int cap)
            data = mlContext.Data.TakeRows(data, cap);
        long rows = CheckRows(data, path, labelColumn, task);
        if (rows == 0)
            throw new InvalidDataException($"{path}: no data rows after the header.");
        return new TextDataset(path, data, rows, labelColumn, textColumns.ToArray());
    }

    // Counts the rows and finds labels the loader could not read (a regression label that is not a number reads as NaN).
    private static long CheckRows(IDataView data, string path, string labelColumn, SweepTask task)
    {
        DataViewSchema.Column label = data.Schema[labelColumn];
        using DataViewRowCursor cursor = data.GetRowCursor([label]);
        long rows = 0;
        if (task == SweepTask.Regression)
        {
            var getter = cursor.GetGetter<float>(label);
            float value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                if (float.IsNaN(value))
                    throw new InvalidDataException($"{path}: data row {rows + 1} (line {rows + 2} when no field spans lines): column '{labelColumn}' is not a number; regression needs a numeric label.");
                rows++;
            }
        }
        else
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(label);
            ReadOnlyMemory<char> value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
                if (value.Span.Trim().IsEmpty)
                    throw new InvalidDataException($"{path}: data row {rows + 1} (line {rows + 2} when no field spans lines): column '{labelColumn}' is empty; every row needs a class label.");
                rows++;
            }
        }
        return rows;
    }
}
