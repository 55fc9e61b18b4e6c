using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.TokenClassification;

/// <summary>Reads the sentence and tag-vector columns of an <see cref="IDataView"/> into word-aligned rows.</summary>
internal static class TokenClassificationData
{
    public static TokenClassificationRows Read(IDataView data, EncoderTokenClassificationOptions options, EncoderTokenizer tokenizer, string what)
    {
        DataViewSchema schema = data.Schema;
        DataViewSchema.Column Find(string name) => schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(data), $"Could not find input column '{name}' in the {what}");
        DataViewSchema.Column sentence = Find(options.SentenceColumnName);
        DataViewSchema.Column label = Find(options.LabelColumnName);

        var rows = new List<TokenizedText>();
        var tags = new List<int[]>();
        using DataViewRowCursor cursor = data.GetRowCursor([sentence, label]);
        var getSentence = cursor.GetGetter<ReadOnlyMemory<char>>(sentence);
        var getLabels = cursor.GetGetter<VBuffer<uint>>(label);
        ReadOnlyMemory<char> text = default;
        VBuffer<uint> keys = default;
        int row = 0;
        while (cursor.MoveNext())
        {
            getSentence(ref text);
            getLabels(ref keys);
            string[] words = EncoderTokenizer.SplitWords(text.Span);
            if (words.Length != keys.Length)
            {
                throw new ArgumentException($"Row {row} of the {what} has {words.Length} words in '{options.SentenceColumnName}' but " +
                    $"{keys.Length} tags in '{options.LabelColumnName}'; give one tag per whitespace-separated word.", nameof(data));
            }
            row++;
            if (words.Length == 0)
                continue;
            var wordTags = new int[words.Length];
            int w = 0;
            foreach (uint key in keys.DenseValues())
                wordTags[w++] = (int)key - 1; // key 0 (missing) becomes -1: not trained on
            rows.Add(tokenizer.AlignWords(words));
            tags.Add(wordTags);
        }
        if (rows.Count == 0)
            throw new ArgumentException($"The {what} has no sentences with words.", nameof(data));
        return new TokenClassificationRows(rows, tags);
    }
}
