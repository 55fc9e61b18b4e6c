using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Trainers.Losses;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>Tokenized training rows of a sentence-embedding loss: one array per text column, and the targets.</summary>
public sealed class SentenceTrainingRows
{
    /// <summary>Creates the set; every column and the targets must have the same row count.</summary>
    public SentenceTrainingRows(IReadOnlyList<TokenizedText[]> columns, float[]? scores = null, float[][]? teacherEmbeddings = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0)
            throw new ArgumentException("At least one text column is needed.", nameof(columns));
        int rows = columns[0].Length;
        if (columns.Any(c => c.Length != rows) || (scores is not null && scores.Length != rows) || (teacherEmbeddings is not null && teacherEmbeddings.Length != rows))
            throw new ArgumentException("Every column and the targets must have the same number of rows.", nameof(columns));
        Columns = columns;
        Scores = scores;
        TeacherEmbeddings = teacherEmbeddings;
    }

    /// <summary>Tokenized texts, one array per column.</summary>
    public IReadOnlyList<TokenizedText[]> Columns { get; }

    /// <summary>Scores of scored pairs; null otherwise.</summary>
    public float[]? Scores { get; }

    /// <summary>Teacher embeddings for distillation; null otherwise.</summary>
    public float[][]? TeacherEmbeddings { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Columns[0].Length;

    /// <summary>The training set (0, 1, ...) of each row when the rows join several sets (<see cref="Concatenate"/>); null for one set.</summary>
    public int[]? Sources { get; private init; }

    /// <summary>
    /// Joins several training sets of the same shape (columns, scores or teacher embeddings) into one, remembering each
    /// row's set in <see cref="Sources"/>, so batches are drawn from one set at a time.
    /// </summary>
    /// <exception cref="ArgumentException">No sets, or sets of different shapes.</exception>
    public static SentenceTrainingRows Concatenate(IReadOnlyList<SentenceTrainingRows> sets)
    {
        ArgumentNullException.ThrowIfNull(sets);
        if (sets.Count == 0)
            throw new ArgumentException("At least one training set is needed.", nameof(sets));
        SentenceTrainingRows first = sets[0];
        for (int i = 1; i < sets.Count; i++)
            if (sets[i].Columns.Count != first.Columns.Count || (sets[i].Scores is null) != (first.Scores is null)
                || (sets[i].TeacherEmbeddings is null) != (first.TeacherEmbeddings is null))
                throw new ArgumentException($"Training set {i} has {sets[i].Columns.Count} text columns{(sets[i].Scores is null ? "" : " and scores")}; set 0 has {first.Columns.Count}{(first.Scores is null ? "" : " and scores")}: every set must have the same shape.", nameof(sets));
        if (sets.Count == 1)
            return first;
        var columns = Enumerable.Range(0, first.Columns.Count).Select(c => sets.SelectMany(set => set.Columns[c]).ToArray()).ToArray();
        return new SentenceTrainingRows(columns,
            first.Scores is null ? null : [.. sets.SelectMany(set => set.Scores!)],
            first.TeacherEmbeddings is null ? null : [.. sets.SelectMany(set => set.TeacherEmbeddings!)])
        {
            Sources = [.. sets.SelectMany((set, index) => Enumerable.Repeat(index, set.Count))],
        };
    }
}

/// <summary>Reads the columns a loss needs from an <see cref="IDataView"/>, with ML.NET-style schema errors.</summary>
internal static class SentenceTrainingData
{
    public static void CheckSchema(SchemaShape schema, SentenceEncoderTrainingOptions options)
    {
        foreach (string name in options.TextColumnNames)
        {
            SchemaShape.Column column = Find(schema, name);
            if (column.ItemType != TextDataViewType.Instance || column.Kind != SchemaShape.Column.VectorKind.Scalar)
                throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for input column '{name}': expected String, got {column.ItemType}");
        }
        if (options.Loss.Input == SentenceLossInput.ScoredPair)
        {
            SchemaShape.Column score = Find(schema, options.TargetColumnName);
            if (score.ItemType != NumberDataViewType.Single || score.Kind != SchemaShape.Column.VectorKind.Scalar)
                throw new ArgumentOutOfRangeException(nameof(schema), $"Schema mismatch for input column '{options.TargetColumnName}': expected Single, got {score.ItemType}");
        }
        else if (options.Loss.Input == SentenceLossInput.TextWithTeacherEmbedding)
        {
            SchemaShape.Column teacher = Find(schema, options.TargetColumnName);
            if (teacher.ItemType != NumberDataViewType.Single || teacher.Kind != SchemaShape.Column.VectorKind.Vector)
                throw new ArgumentOutOfRangeException(nameof(schema),
                    $"Schema mismatch for input column '{options.TargetColumnName}': expected vector of Single (teacher embeddings), got {teacher.ItemType}");
        }
    }

    private static SchemaShape.Column Find(SchemaShape schema, string name)
    {
        SchemaShape.Column column = schema.LastOrDefault(c => c.Name == name);
        return column.Name is not null ? column : throw new ArgumentOutOfRangeException(nameof(schema), $"Could not find input column '{name}'");
    }

    public static SentenceTrainingRows Read(IDataView data, SentenceEncoderTrainingOptions options, EncoderTokenizer tokenizer, int? embeddingWidth)
    {
        DataViewSchema schema = data.Schema;
        DataViewSchema.Column[] texts = options.TextColumnNames.Select(n => schema[n]).ToArray();
        SentenceLossInput input = options.Loss.Input;
        DataViewSchema.Column? target = input is SentenceLossInput.ScoredPair or SentenceLossInput.TextWithTeacherEmbedding ? schema[options.TargetColumnName] : null;

        var columns = texts.Select(_ => new List<TokenizedText>()).ToArray();
        var scores = new List<float>();
        var teacher = new List<float[]>();
        using DataViewRowCursor cursor = data.GetRowCursor(target is null ? texts : [.. texts, target.Value]);
        ValueGetter<ReadOnlyMemory<char>>[] getters = texts.Select(c => cursor.GetGetter<ReadOnlyMemory<char>>(c)).ToArray();
        ValueGetter<float>? getScore = input == SentenceLossInput.ScoredPair ? cursor.GetGetter<float>(target!.Value) : null;
        ValueGetter<VBuffer<float>>? getTeacher = input == SentenceLossInput.TextWithTeacherEmbedding ? cursor.GetGetter<VBuffer<float>>(target!.Value) : null;
        ReadOnlyMemory<char> text = default;
        float score = 0;
        VBuffer<float> vector = default;
        long row = 0;
        while (cursor.MoveNext())
        {
            row++;
            if (getScore is not null)
            {
                getScore(ref score);
                if (float.IsNaN(score))
                    continue; // a missing score, as ML.NET trainers skip missing labels
                if (options.ScoreMinimum is { } min && options.ScoreMaximum is { } max)
                {
                    if (score < min || score > max)
                        throw new ArgumentOutOfRangeException(nameof(data), score,
                            $"Row {row}: the '{options.TargetColumnName}' score {score} lies outside the declared range [{min}, {max}].");
                    if (options.Loss is CosineSimilarityLoss)
                        score = (score - min) / (max - min);
                }
                else if (options.Loss is CosineSimilarityLoss && score is < -1 or > 1)
                {
                    throw new ArgumentOutOfRangeException(nameof(data), score,
                        $"Row {row}: the cosine similarity loss needs scores in [-1, 1], got {score}; declare ScoreMinimum and ScoreMaximum to map them.");
                }
                scores.Add(score);
            }
            if (getTeacher is not null)
            {
                getTeacher(ref vector);
                if (embeddingWidth is { } width && vector.Length != width)
                    throw new ArgumentOutOfRangeException(nameof(data), vector.Length,
                        $"Row {row}: the teacher embedding in '{options.TargetColumnName}' has {vector.Length} values; the encoder's embeddings have {width}.");
                teacher.Add(vector.DenseValues().ToArray());
            }
            for (int c = 0; c < texts.Length; c++)
            {
                getters[c](ref text);
                columns[c].Add(tokenizer.Tokenize(text.ToString()));
            }
        }
        if (columns[0].Count == 0)
            throw new ArgumentException("The training data has no rows" + (getScore is null ? "." : " with a score."), nameof(data));
        return new SentenceTrainingRows(columns.Select(c => c.ToArray()).ToArray(),
            getScore is null ? null : scores.ToArray(), getTeacher is null ? null : teacher.ToArray());
    }
}
