using Microsoft.ML;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Sts;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;

namespace MLNetExt.Samples;

/// <summary>
/// Encoder compression: all-MiniLM-L6-v2 quantised to int8 (<see cref="EncoderQuantizer"/>), and a 3-layer student
/// distilled from it (<c>DistillEncoder</c>) on unlabelled STS-B train sentences, then quantised too; each scored on
/// STS-B dev with the STS evaluator. Run: <c>dotnet run --project Samples -c Release -- compress [data-folder] [texts]</c>.
/// </summary>
/// <remarks>
/// Prints (the figures of full runs are in BENCHMARKS.md with their commands), e.g.:
/// <code>
/// int8: 24 operators in int8 (6 QAttention, 18 DynamicQuantizeMatMul), 0 left fp32; graph 86.7 MiB -> 55.8 MiB
/// STS-B dev, 1500 pairs: fp32 0.8672, int8 0.86..
/// 3-layer student (teacher layers 0, 3, 5), 2000 texts, 63 steps: STS-B dev 0.8..., int8 0.8...
/// </code>
/// </remarks>
public static class EncoderCompressionSample
{
    private sealed class Sentence
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Quantises and distils all-MiniLM-L6-v2; returns the STS-B dev Spearman of fp32, int8, student and int8 student.</summary>
    /// <param name="dataFolder">The folder holding <c>stsb/train.tsv</c> and <c>stsb/dev.tsv</c>.</param>
    /// <param name="distillTexts">Unlabelled STS-B train sentences the student learns from.</param>
    /// <param name="devPairs">Dev pairs to evaluate (0: all 1,500).</param>
    /// <param name="maxTokens">Word pieces per sentence while distilling.</param>
    public static (double Fp32, double Int8, double Student, double StudentInt8) Example(string dataFolder, int distillTexts = 2000, int devPairs = 0, int maxTokens = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(distillTexts, 2);
        IReadOnlyList<StsPair> dev = StsReader.Read(Path.Combine(dataFolder, "stsb", "dev.tsv"));
        if (devPairs > 0)
            dev = dev.Take(devPairs).ToList();
        var mlContext = new MLContext(seed: 0);
        EncoderModel miniLm = PretrainedEncoders.Load("all-MiniLM-L6-v2");

        // int8: a new EncoderModel over a quantised graph; EncodeText, the evaluators and SaveWithEncoders take it as it is.
        EncoderQuantizationResult int8 = EncoderQuantizer.Quantize(miniLm);
        Console.WriteLine($"int8: {int8}");
        double fp32Score = Score(mlContext, miniLm, dev), int8Score = Score(mlContext, int8.Model, dev);
        Console.WriteLine($"STS-B dev, {dev.Count} pairs: fp32 {fp32Score:F4}, int8 {int8Score:F4}");

        // Layer dropping + distillation: the student starts from 3 of the teacher's 6 layers and learns its embeddings.
        string[] texts = StsReader.Read(Path.Combine(dataFolder, "stsb", "train.tsv")).SelectMany(p => new[] { p.Sentence1, p.Sentence2 })
            .Distinct(StringComparer.Ordinal).Take(distillTexts).ToArray();
        IDataView unlabelled = mlContext.Data.LoadFromEnumerable(texts.Select(t => new Sentence { Text = t }));
        EncoderDistillationResult distilled = mlContext.Transforms.Text.DistillEncoder(new EncoderDistillationOptions
        {
            Teacher = miniLm, StudentLayerCount = 3, MaxTokens = maxTokens,
            Training = new TrainingOptions { BatchSize = 32, Epochs = 1, LearningRate = 1e-4 },
        }).Train(unlabelled);
        EncoderModel studentInt8 = EncoderQuantizer.Quantize(distilled.Student).Model;
        double studentScore = Score(mlContext, distilled.Student, dev), studentInt8Score = Score(mlContext, studentInt8, dev);
        Console.WriteLine($"3-layer student (teacher layers {string.Join(", ", distilled.TeacherLayers!)}), {texts.Length} texts, {distilled.Training.Steps} steps: " +
            $"STS-B dev {studentScore:F4}, int8 {studentInt8Score:F4}");
        return (fp32Score, int8Score, studentScore, studentInt8Score);
    }

    private static double Score(MLContext mlContext, EncoderModel model, IReadOnlyList<StsPair> pairs)
    {
        TextEncoderTransformer encoder = mlContext.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            Model = model, InputColumnName = "Text", OutputColumnName = "Embedding",
        }).Fit(mlContext.Data.LoadFromEnumerable(Array.Empty<Sentence>()));
        try
        {
            return StsEvaluator.Evaluate(pairs, new TransformerEmbedder(mlContext, encoder, "Text", "Embedding")).CosineSpearman;
        }
        finally
        {
            encoder.Dispose(); // an IOwnedTransformer: its owner ends it
        }
    }
}
