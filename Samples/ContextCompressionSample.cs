using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Transforms;

namespace MLNetExt.Samples;

/// <summary>
/// <c>mlContext.Transforms.Text.CompressContext</c>: each passage becomes K = ceil(word pieces / 4) vectors, stored in a
/// <see cref="MultiVectorIndex"/> and searched with late interaction (<see cref="MaxSim"/>) for a query kept at one
/// vector per word piece. Run: <c>dotnet run --project Samples -c Release -- compress</c>.
/// </summary>
/// <remarks>Prints, per passage, K and the bytes it stores, then the passages ranked by MaxSim score for the query.</remarks>
public static class ContextCompressionSample
{
    private sealed class Passage
    {
        public string Text { get; set; } = "";
    }

    private sealed class Compressed
    {
        public float[] Vectors { get; set; } = [];

        public int VectorsCount { get; set; }
    }

    /// <summary>Compresses three passages at ratio 4, indexes them, and ranks them for a query.</summary>
    /// <returns>The passages, best first.</returns>
    public static string[] Example()
    {
        var mlContext = new MLContext();
        string[] passages =
        [
            "Aspirin irreversibly inhibits cyclooxygenase, lowering the production of thromboxane in platelets.",
            "The Amazon river carries more water to the ocean than any other river on Earth.",
            "Statins reduce cholesterol synthesis in the liver by blocking HMG-CoA reductase.",
        ];
        IDataView data = mlContext.Data.LoadFromEnumerable(passages.Select(p => new Passage { Text = p }));

        // Documents: K = ceil(tokens / 4) vectors each, means of consecutive token vectors, unit length.
        var documents = mlContext.Transforms.Text.CompressContext("Vectors", "Text", ratio: 4).Fit(data);
        // Queries: every word piece kept (ratio 1), as late-interaction retrievers do.
        var queries = mlContext.Transforms.Text.CompressContext("Vectors", "Text", ratio: 1).Fit(data);

        var index = new MultiVectorIndex(documents.Dimension, MultiVectorPrecision.Int8);
        foreach (var (row, i) in mlContext.Data.CreateEnumerable<Compressed>(documents.Transform(data), reuseRowObject: false).Select((r, i) => (r, i)))
        {
            long before = index.StoredBytes;
            index.Add(row.Vectors);
            Console.WriteLine($"passage {i}: K = {row.VectorsCount}, {index.StoredBytes - before} bytes (int8)");
        }

        using var engine = mlContext.Model.CreatePredictionEngine<Passage, Compressed>(queries);
        var query = new MultiVectorIndex(queries.Dimension);
        query.Add(engine.Predict(new Passage { Text = "How does aspirin affect platelets?" }).Vectors);
        float[] scores = MaxSim.Score(query, index);
        int[] order = Enumerable.Range(0, passages.Length).OrderByDescending(i => scores[i]).ToArray();
        foreach (int i in order)
            Console.WriteLine($"{scores[i],6:F3}  {passages[i]}");

        documents.Dispose();
        queries.Dispose();
        return order.Select(i => passages[i]).ToArray();
    }
}
