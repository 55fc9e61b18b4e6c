using Microsoft.ML;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;

namespace MLNetExt.Samples;

/// <summary>
/// Layer dropping with distillation of a fine-tuned SST-2 classifier (<c>DistillClassifier</c>): a student made of
/// three of the classifier's six layers (its embeddings and head copied) learns the classifier's class distributions
/// (KL at temperature 2) on unlabelled SST-2 sentences, then an int8 copy of the student is served through ONNX
/// Runtime's integer kernels; the original, the student and its int8 copy are scored on SST-2 dev. Without a model it
/// first fine-tunes all-MiniLM-L6-v2 on the same rows (with their labels).
/// Run: <c>dotnet run --project Samples -c Release -- distil [data-folder] [rows] [model.zip]</c>.
/// </summary>
/// <remarks>
/// Prints (the figures of full runs are in BENCHMARKS.md with their commands), e.g.:
/// <code>
/// student of 3 layers (teacher layers 0,3,5), 63 steps
/// SST-2 dev, 872 sentences: original accuracy 0.8888, student 0.85..., student int8 0.85...
/// </code>
/// </remarks>
public static class ClassifierDistillationSample
{
    private sealed class Review
    {
        public string Sentence { get; set; } = "";
        public string Label { get; set; } = "";
    }

    private sealed class Text
    {
        public string Sentence { get; set; } = "";
    }

    private sealed class LabelName
    {
        public string Label { get; set; } = "";
    }

    /// <summary>Distils a fine-tuned SST-2 classifier into fewer layers; returns the dev accuracy of the original, the student and the student's int8 copy.</summary>
    /// <param name="dataFolder">The folder holding <c>sst2/train.tsv</c> and <c>sst2/dev.tsv</c>.</param>
    /// <param name="trainRows">Training sentences for distillation (and, with their labels, for fine-tuning when no model is given).</param>
    /// <param name="modelPath">A classifier fine-tuned on SST-2 (e.g. <c>train classify --out</c>'s model.zip); null to fine-tune one first.</param>
    /// <param name="devRows">Dev sentences scored (0: all 872).</param>
    /// <param name="studentLayerCount">Layers of the student, spread evenly over the classifier's.</param>
    public static (double Original, double Student, double StudentInt8) Example(string dataFolder, int trainRows = 2000, string? modelPath = null, int devRows = 0,
        int studentLayerCount = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainRows, 2);
        var mlContext = new MLContext(seed: 0);
        Review[] Read(string file, int count) => File.ReadLines(Path.Combine(dataFolder, "sst2", file)).Skip(1).Take(count > 0 ? count : int.MaxValue)
            .Select(l => l.Split('\t')).Select(f => new Review { Sentence = f[0], Label = f[1] }).ToArray();
        Review[] train = Read("train.tsv", trainRows), dev = Read("dev.tsv", devRows);

        EncoderFineTuningTransformer model = modelPath is not null ? EncoderFineTuningTransformer.Load(mlContext, modelPath) : FineTune(mlContext, train);
        try
        {
            // Distillation alone needs no labels: the student learns the teacher's outputs on any text in its column.
            IDataView text = mlContext.Data.LoadFromEnumerable(train.Select(r => new Text { Sentence = r.Sentence }));
            ClassifierDistillationResult distilled = mlContext.MulticlassClassification.Trainers.DistillClassifier(model, new ClassifierDistillationOptions
            {
                StudentLayerCount = studentLayerCount, Temperature = 2,
                Training = new TrainingOptions { BatchSize = 32, Epochs = 1, LearningRate = 1e-4, LengthBucketBatches = 50 },
            }).Train(text);
            EncoderFineTuningTransformer student = distilled.Student;
            EncoderFineTuningTransformer int8 = student.WithRuntime(new FineTunedRuntimeOptions { Int8 = true });
            try
            {
                Console.WriteLine(distilled);
                double original = Accuracy(model, dev), fp32 = Accuracy(student, dev), quantized = Accuracy(int8, dev);
                Console.WriteLine($"SST-2 dev, {dev.Length} sentences: original accuracy {original:F4}, student {fp32:F4}, student int8 {quantized:F4}");
                return (original, fp32, quantized);
            }
            finally
            {
                int8.Dispose(); // IOwnedTransformers: their owner ends them
                student.Dispose();
            }
        }
        finally
        {
            model.Dispose();
        }
    }

    private static EncoderFineTuningTransformer FineTune(MLContext mlContext, Review[] train)
    {
        // Keys in label order, as train classify maps them: class index i is label "i".
        IDataView labels = mlContext.Data.LoadFromEnumerable(new[] { new LabelName { Label = "0" }, new LabelName { Label = "1" } });
        var keys = mlContext.Transforms.Conversion.MapValueToKey("Label", keyData: labels).Fit(mlContext.Data.LoadFromEnumerable(train));
        return mlContext.MulticlassClassification.Trainers.EncoderTextClassification(new EncoderFineTuningOptions
        {
            SentenceColumnName = "Sentence", Training = new TrainingOptions { BatchSize = 32, Epochs = 1 },
        }).Fit(keys.Transform(mlContext.Data.LoadFromEnumerable(train)));
    }

    // Class index i is label "i" (keys in label order).
    private static double Accuracy(EncoderFineTuningTransformer model, Review[] dev)
    {
        float[][] scores = model.Predict(dev.Select(d => d.Sentence).ToArray());
        return dev.Zip(scores).Count(p => Array.IndexOf(p.Second, p.Second.Max()).ToString(System.Globalization.CultureInfo.InvariantCulture) == p.First.Label) / (double)dev.Length;
    }
}
