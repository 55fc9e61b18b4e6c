using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>Reads sentence, second sentence and label columns of an <see cref="IDataView"/> into tokenized rows.</summary>
internal static class FineTuningData
{
    /// <summary>
    /// The rows of <paramref name="data"/> tokenized, with their targets; with <paramref name="labelled"/> false the
    /// label column is not read (it may be absent), every row is kept and every target is 0 (for distillation from a teacher).
    /// </summary>
    public static FineTuningRows Read(IDataView data, EncoderFineTuningOptions options, FineTuningKind kind, EncoderTokenizer tokenizer, string what,
        bool labelled = true)
    {
        DataViewSchema schema = data.Schema;
        DataViewSchema.Column Find(string name) => schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(data), $"Could not find input column '{name}' in the {what}");
        DataViewSchema.Column sentence = Find(options.SentenceColumnName);
        DataViewSchema.Column? second = options.SecondSentenceColumnName is null ? null : Find(options.SecondSentenceColumnName);
        DataViewSchema.Column? label = labelled ? Find(options.LabelColumnName) : null;
        var columns = new List<DataViewSchema.Column> { sentence };
        if (label is not null)
            columns.Add(label.Value);
        if (second is not null)
            columns.Add(second.Value);

        var rows = new List<TokenizedText>();
        var targets = new List<float>();
        using DataViewRowCursor cursor = data.GetRowCursor(columns);
        var getSentence = cursor.GetGetter<ReadOnlyMemory<char>>(sentence);
        var getSecond = second is null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(second.Value);
        ValueGetter<uint>? getKey = label is { } k && kind == FineTuningKind.Classification ? cursor.GetGetter<uint>(k) : null;
        ValueGetter<float>? getValue = label is { } v && kind == FineTuningKind.Regression ? cursor.GetGetter<float>(v) : null;
        ReadOnlyMemory<char> a = default, b = default;
        uint key = 0;
        float value = 0;
        while (cursor.MoveNext())
        {
            float target = 0;
            if (getKey is not null)
            {
                getKey(ref key);
                if (key == 0)
                    continue; // missing label
                target = key - 1;
            }
            else if (getValue is not null)
            {
                getValue(ref value);
                if (float.IsNaN(value))
                    continue;
                target = value;
            }
            getSentence(ref a);
            getSecond?.Invoke(ref b);
            rows.Add(getSecond is null ? tokenizer.Tokenize(a.Span) : tokenizer.Tokenize(a.Span, b.Span));
            targets.Add(target);
        }
        if (rows.Count == 0)
            throw new ArgumentException(labelled ? $"The {what} has no rows with a label." : $"The {what} has no rows.", nameof(data));
        return new FineTuningRows(rows, targets);
    }

    /// <summary>The text of each key value of a key column, or null when it has no KeyValues annotation.</summary>
    public static string[]? KeyNames(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is not { Type: VectorDataViewType { ItemType: TextDataViewType } })
            return null;
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.Annotations.GetValue("KeyValues", ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }
}
