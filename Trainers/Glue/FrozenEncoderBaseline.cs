using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Glue;

/// <summary>
/// The frozen-encoder baseline of <see cref="GlueBenchmark"/> (<c>mlnetext train classify</c>): the chosen encoder's sentence embeddings (ONNX Runtime,
/// mean pooling, L2-normalised) fed, mean-variance normalised, to a stock ML.NET trainer. Pairs use [u, v, |u - v|, u * v] (Sentence-BERT's
/// classification features); STS-B also reports the untrained cosine similarity of u and v.
/// </summary>
public static class FrozenEncoderBaseline
{
    // LoadFromEnumerable reads a key-typed uint property as a zero-based class index (0 -> key 1); values past the
    // key count become missing. Reading the key column back (GetColumn<uint>) gives the raw one-based key.
    private sealed class FeatureRow
    {
        [VectorType]
        public float[] Features { get; set; } = [];
        public uint Label { get; set; }
        public float Value { get; set; }
    }

    /// <summary>Embeds the training and dev rows with <paramref name="encoder"/>, fits the stock trainer and scores dev.</summary>
    /// <param name="task">The GLUE task.</param>
    /// <param name="train">Training rows.</param>
    /// <param name="dev">Dev rows, scored with the GLUE evaluator.</param>
    /// <param name="encoder">The frozen encoder.</param>
    /// <param name="seed">Seed of the ML.NET trainer.</param>
    /// <param name="cancellationToken">Stops the embedding between batches.</param>
    public static FrozenBaselineResult Run(GlueTask task, IReadOnlyList<GlueExample> train, IReadOnlyList<GlueExample> dev, EncoderModel encoder, int seed,
        CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var embedder = new SentenceEmbedder(encoder);
        float[][] trainFeatures = Features(embedder, task, train, cancellationToken, out _);
        float[][] devFeatures = Features(embedder, task, dev, cancellationToken, out double[]? devCosine);
        return Fit(task, trainFeatures, train, devFeatures, dev, devCosine, seed, clock);
    }

    internal static FrozenBaselineResult Fit(GlueTask task, float[][] trainFeatures, IReadOnlyList<GlueExample> train, float[][] devFeatures,
        IReadOnlyList<GlueExample> dev, double[]? devCosine, int seed, System.Diagnostics.Stopwatch clock)
    {
        var ml = new MLContext(seed);
        int width = trainFeatures[0].Length;
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        if (!task.IsRegression)
            schema[nameof(FeatureRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), task.Labels!.Count);
        IDataView Load(float[][] features, IReadOnlyList<GlueExample> rows) => ml.Data.LoadFromEnumerable(
            features.Select((f, i) => new FeatureRow { Features = f, Label = (uint)rows[i].LabelIndex, Value = rows[i].Score }).ToArray(), schema);
        IDataView trainData = Load(trainFeatures, train), devData = Load(devFeatures, dev);

        if (task.IsRegression)
        {
            var model = ml.Transforms.NormalizeMeanVariance(nameof(FeatureRow.Features))
                .Append(ml.Regression.Trainers.Sdca(labelColumnName: nameof(FeatureRow.Value))).Fit(trainData);
            double[] predicted = model.Transform(devData).GetColumn<float>("Score").Select(s => (double)s).ToArray();
            double[] gold = dev.Select(d => (double)d.Score).ToArray();
            var cosine = GlueEvaluator.Evaluate(task, gold, devCosine!).ByName;
            return new FrozenBaselineResult("SDCA regression on [|u-v|, u*v]", GlueEvaluator.Evaluate(task, gold, predicted).ByName, clock.Elapsed.TotalSeconds, cosine);
        }
        var classifier = ml.Transforms.NormalizeMeanVariance(nameof(FeatureRow.Features))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy()).Fit(trainData);
        int[] predictedClasses = classifier.Transform(devData).GetColumn<uint>("PredictedLabel").Select(k => (int)k - 1).ToArray();
        var metrics = GlueEvaluator.Evaluate(task, dev.Select(d => d.LabelIndex).ToArray(), predictedClasses).ByName;
        return new FrozenBaselineResult(task.IsPairTask ? "L-BFGS maximum entropy on [u, v, |u-v|, u*v]" : "L-BFGS maximum entropy on u", metrics, clock.Elapsed.TotalSeconds, null);
    }

    private static float[][] Features(SentenceEmbedder embedder, GlueTask task, IReadOnlyList<GlueExample> rows, CancellationToken cancellationToken, out double[]? cosine)
    {
        float[][] u = embedder.Embed(rows.Select(r => r.Sentence1).ToArray(), cancellationToken);
        cosine = null;
        if (!task.IsPairTask)
            return u;
        float[][] v = embedder.Embed(rows.Select(r => r.Sentence2).ToArray(), cancellationToken);
        cosine = u.Select((a, i) => (double)a.Zip(v[i], (x, y) => x * y).Sum()).ToArray();
        return task.IsRegression
            ? u.Select((a, i) => a.Zip(v[i], (x, y) => MathF.Abs(x - y)).Concat(a.Zip(v[i], (x, y) => x * y)).ToArray()).ToArray()
            : u.Select((a, i) => a.Concat(v[i]).Concat(a.Zip(v[i], (x, y) => MathF.Abs(x - y))).Concat(a.Zip(v[i], (x, y) => x * y)).ToArray()).ToArray();
    }

    /// <summary>Mean-pooled, L2-normalised embeddings of the encoder (at most 256 tokens) through <c>EncodeText</c>.</summary>
    private sealed class SentenceEmbedder : IDisposable
    {
        private readonly MLContext _ml = new();
        private readonly TextEncoderTransformer _encoder;

        public SentenceEmbedder(EncoderModel model)
        {
            _encoder = _ml.Transforms.Text.EncodeText(new TextEncoderOptions
            {
                OutputColumnName = "Embedding", InputColumnName = nameof(TextRow.Text), Model = model,
                Pooling = EncoderPooling.Mean, Normalize = true, MaxTokens = 256, BatchSize = 64,
            }).Fit(Load([]));
        }

        public float[][] Embed(IReadOnlyList<string> sentences, CancellationToken cancellationToken) =>
            _encoder.Transform(Load(sentences), cancellationToken).GetColumn<float[]>("Embedding").ToArray();

        private IDataView Load(IEnumerable<string> sentences) => _ml.Data.LoadFromEnumerable(sentences.Select(s => new TextRow { Text = s }).ToArray());

        public void Dispose() => _encoder.Dispose();
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }
}
