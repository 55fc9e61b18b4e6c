using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Evaluation.Faithfulness;
using MLNetExt.Evaluation.Reports;
using MLNetExt.Trainers.Attribution;
using MLNetExt.Transforms.Attribution;

namespace MLNetExt.Samples;

/// <summary>
/// <c>mlContext.Transforms.Text.ExplainText</c>: explains a stock FeaturizeText + SDCA sentiment classifier word by
/// word with occlusion, measures how faithful occlusion is against random attributions with
/// <c>FaithfulnessEvaluator</c>, and writes the explanations as an HTML page and a PNG heat strip.
/// Run: <c>dotnet run --project Samples -c Release -- explain [data-folder] [training-rows]</c>.
/// </summary>
/// <remarks>
/// Prints (<c>explain ../shared/data 2000</c>; the HTML and PNG go to the temporary folder):
/// <code>
/// "a gorgeous , witty , seductive movie ." -> class 1: top words witty, gorgeous, a
/// "the plot is nothing but boilerplate clichés from start to finish ," -> class 0: top words nothing, plot, clichés
/// AOPC comprehensiveness on 50 dev reviews: occlusion 0.37, random 0.03
/// wrote attributions.html and attributions.png (2 texts)
/// </code>
/// </remarks>
public static class TextAttributionSample
{
    private sealed class Explained
    {
        public string Sentence { get; set; } = "";

        public string[] Words { get; set; } = [];

        public float[] Attributions { get; set; } = [];
    }

    /// <summary>What the sample measured.</summary>
    /// <param name="TopWords">The three most supporting words of each example review.</param>
    /// <param name="Faithfulness">Occlusion's and random's faithfulness on the dev reviews.</param>
    /// <param name="HtmlPath">The HTML page written.</param>
    /// <param name="PngPath">The PNG heat strip written.</param>
    public sealed record Result(IReadOnlyList<string[]> TopWords, FaithfulnessResult Faithfulness, string HtmlPath, string PngPath);

    /// <summary>Trains on the first <paramref name="trainingRows"/> SST-2 rows, explains two reviews and measures 50 dev reviews.</summary>
    /// <param name="dataFolder">The folder holding <c>sst2/</c>.</param>
    /// <param name="trainingRows">Training rows of the classifier.</param>
    /// <param name="outputFolder">Where the HTML and PNG go (default: the temporary folder).</param>
    public static Result Example(string dataFolder, int trainingRows = 2000, string? outputFolder = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainingRows, 2);
        string folder = Path.Combine(dataFolder, "sst2");
        SentimentReview[] train = SentimentReview.Read(Path.Combine(folder, "train.tsv"), trainingRows);
        SentimentReview[] dev = SentimentReview.Read(Path.Combine(folder, "dev.tsv"), 50);
        var mlContext = new MLContext(seed: 0);
        ITransformer classifier = StockTextClassifier.Train(mlContext, train.Select(r => (r.Sentence, int.Parse(r.Label))).ToArray(), classCount: 2);

        // The attribution transform: any fitted pipeline that reads text and writes a score.
        string[] reviews = ["a gorgeous , witty , seductive movie .", "the plot is nothing but boilerplate clichés from start to finish ,"];
        IDataView data = mlContext.Data.LoadFromEnumerable(reviews.Select(r => new SentimentReview { Sentence = r }));
        var explain = mlContext.Transforms.Text.ExplainText(classifier, "Sentence", "Score", new OcclusionOptions()).Fit(data);
        var rows = mlContext.Data.CreateEnumerable<Explained>(explain.Transform(data), reuseRowObject: false).ToArray();
        var topWords = new List<string[]>();
        var attributions = new List<TextAttribution>();
        foreach (Explained row in rows)
        {
            TextAttribution attribution = explain.Explain(row.Sentence);
            attributions.Add(attribution);
            string[] top = row.Attributions.Select((score, i) => (score, i)).OrderByDescending(p => p.score).Take(3).Select(p => row.Words[p.i]).ToArray();
            topWords.Add(top);
            Console.WriteLine($"\"{row.Sentence}\" -> class {attribution.TargetIndex}: top words {string.Join(", ", top)}");
        }

        // Faithfulness: taking out the top words should hurt the prediction much more than taking out random ones.
        var model = new ExplainedTextModel(classifier, "Sentence", "Score", mlContext: mlContext);
        FaithfulnessResult faithfulness = new FaithfulnessEvaluator(model).Evaluate(
            dev.Select(r => TextInstance.Create(r.Sentence)).ToArray(),
            [new OcclusionAttribution(model), new RandomAttribution(model)]);
        Console.WriteLine($"AOPC comprehensiveness on {faithfulness.Texts} dev reviews: occlusion {faithfulness["occlusion"].AopcComprehensiveness:F2}, random {faithfulness["random"].AopcComprehensiveness:F2}");

        string output = outputFolder ?? Path.GetTempPath();
        string html = Path.Combine(output, "attributions.html"), png = Path.Combine(output, "attributions.png");
        AttributionHtmlReport.Save(attributions, "Occlusion on FeaturizeText + SDCA", html);
        AttributionHeatStrip.Save(attributions, png);
        Console.WriteLine($"wrote attributions.html and attributions.png ({attributions.Count} texts)");
        return new Result(topWords, faithfulness, html, png);
    }
}
