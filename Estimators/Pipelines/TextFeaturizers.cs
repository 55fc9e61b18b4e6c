using Microsoft.ML;
using Microsoft.ML.Transforms.Text;
using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Pipelines;

/// <summary>Searched options of ML.NET's <c>FeaturizeText</c> (bag of word and character n-grams).</summary>
public sealed class FeaturizeTextSearchOptions
{
    /// <summary>Longest word n-gram.</summary>
    [Range(1, 3)]
    public int WordNgramLength { get; set; } = 1;

    /// <summary>Character n-gram length; 0 for none.</summary>
    [Choice(0, 3, 4)]
    public int CharNgramLength { get; set; }
}

/// <summary>Text featurizers as sweepable estimators: text columns in, a float vector <c>Features</c> out.</summary>
public static class TextFeaturizers
{
    /// <summary>ML.NET's <c>FeaturizeText</c> over all text columns (tokens of the columns are pooled).</summary>
    public static SweepableEstimator FeaturizeText(IReadOnlyList<string> textColumns)
    {
        ArgumentNullException.ThrowIfNull(textColumns);
        if (textColumns.Count == 0)
            throw new ArgumentException("At least one text column is needed.", nameof(textColumns));
        string[] columns = textColumns.ToArray();
        return new SweepableEstimator("featurize-text", new SearchSpace<FeaturizeTextSearchOptions>(), (ml, p) =>
        {
            if (p is null)
                return ml.Transforms.Text.FeaturizeText(StockTrainers.Features, new TextFeaturizingEstimator.Options(), columns);
            var o = p.AsType<FeaturizeTextSearchOptions>();
            var options = new TextFeaturizingEstimator.Options
            {
                WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = o.WordNgramLength },
                CharFeatureExtractor = o.CharNgramLength > 0 ? new WordBagEstimator.Options { NgramLength = o.CharNgramLength, UseAllLengths = false } : null,
            };
            return ml.Transforms.Text.FeaturizeText(StockTrainers.Features, options, columns);
        });
    }
}
