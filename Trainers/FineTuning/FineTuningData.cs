using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>Reads sentence, second sentence and label columns of an <see cref="IDataView"/> into tokenized rows.</summary>
internal static class FineTuningData
{
    public static FineTuningRows Read(IDataView data, EncoderFineTuningOptions options, FineTuningKind kind, EncoderTokenizer tokenizer, string what)
    {
        DataViewSchema schema = data.Schema;
        DataViewSchema.Column Find(string name) => schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(data), $"Could not find input column '{name}' in the {what}");
        DataViewSchema.Column sentence = Find(options.SentenceColumnName);
        DataViewSchema.Column? second = options.SecondSentenceColumnName is null ? null : Find(options.SecondSentenceColumnName);
        DataViewSchema.Column label = Find(options.LabelColumnName);
        var columns = new List<DataViewSchema.Column> { sentence, label };
        if (second is not null)
            columns.Add(second.Value);

        var rows = new List<TokenizedText>();
        var targets = new List<float>();
        using DataViewRowCursor cursor = data.GetRowCursor(columns);
        var getSentence = cursor.GetGetter<ReadOnlyMemory<char>>(sentence);
        var getSecond = second is null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(second.Value);
        ValueGetter<uint>? getKey = kind == FineTuningKind.Classification ? cursor.GetGetter<uint>(label) : null;
        ValueGetter<float>? getValue = kind == FineTuningKind.Regression ? cursor.GetGetter<float>(label) : null;
        ReadOnlyMemory<char> a = default, b = default;
        uint key = 0;
        float value = 0;
        while (cursor.MoveNext())
        {
            float target;
            if (getKey is not null)
            {
                getKey(ref key);
                if (key == 0)
                    continue; // missing label
                target = key - 1;
            }
            else
            {
                getValue!(ref value);
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
            throw new ArgumentException($"The {what} has no rows with a label.", nameof(data));
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
