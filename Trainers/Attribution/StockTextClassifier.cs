using Microsoft.ML;

namespace MLNetExt.Trainers.Attribution;

/// <summary>
/// The stock ML.NET text classifier the attribution figures compare with: <c>FeaturizeText</c> (word and character
/// n-grams) followed by SDCA maximum entropy, reading one text column and writing class probabilities to <c>Score</c>.
/// The label is mapped to keys outside the returned pipeline, so the pipeline reads text only.
/// </summary>
public static class StockTextClassifier
{
    private sealed class Row
    {
        public string Text { get; set; } = "";
        public float Label { get; set; }
    }

    private sealed class ClassValue
    {
        public float Label { get; set; }
    }

    /// <summary>Trains on (text, class index) pairs; returns a pipeline reading <paramref name="textColumnName"/>.</summary>
    /// <exception cref="ArgumentException">No rows, or a class index is negative.</exception>
    public static ITransformer Train(MLContext mlContext, IReadOnlyList<(string Text, int ClassIndex)> rows, int classCount, string textColumnName = "Sentence")
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
            throw new ArgumentException("The stock classifier needs at least one training row.", nameof(rows));
        if (rows.FirstOrDefault(r => r.ClassIndex < 0 || r.ClassIndex >= classCount) is { Text: not null } bad)
            throw new ArgumentException($"Class index {bad.ClassIndex} of '{bad.Text}' is outside 0..{classCount - 1}.", nameof(rows));
        var definition = Microsoft.ML.Data.SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Text)].ColumnName = textColumnName;
        IDataView data = mlContext.Data.LoadFromEnumerable(rows.Select(r => new Row { Text = r.Text, Label = r.ClassIndex }), definition);
        // Key i + 1 is class i (keys in value order, every class present), mapped outside the returned pipeline.
        IDataView classes = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, classCount).Select(c => new ClassValue { Label = c }));
        data = mlContext.Transforms.Conversion.MapValueToKey("Label", keyData: classes).Fit(data).Transform(data);
        return mlContext.Transforms.Text.FeaturizeText("Features", textColumnName)
            .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features"))
            .Fit(data);
    }
}
