using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Trainers.Onnx;
using MLNetExt.Trainers.Text;

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
    public static FrozenBaselineResult Run(GlueTask task, IReadOnlyList<GlueExample> train, IReadOnlyList<GlueExample> dev, EncoderFiles encoder, int seed,
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

    /// <summary>Mean-pooled, L2-normalised embeddings of the encoder through ONNX Runtime, batched by length.</summary>
    private sealed class SentenceEmbedder : IDisposable
    {
        private readonly OnnxEncoderSession _session;
        private readonly EncoderTokenizer _tokenizer;

        public SentenceEmbedder(EncoderFiles files)
        {
            _session = new OnnxEncoderSession(files.Onnx);
            _tokenizer = files.CreateTokenizer(maxTokens: 256);
        }

        public float[][] Embed(IReadOnlyList<string> sentences, CancellationToken cancellationToken)
        {
            TokenizedRow[] rows = sentences.Select(s => _tokenizer.Tokenize(s)).ToArray();
            int[] order = Enumerable.Range(0, rows.Length).OrderBy(i => rows[i].Ids.Length).ToArray();
            var result = new float[rows.Length][];
            for (int start = 0; start < order.Length; start += 64)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int[] chunk = order[start..Math.Min(order.Length, start + 64)];
                TokenizedBatch batch = _tokenizer.Pad(chunk.Select(i => rows[i]).ToArray());
                (float[] hidden, int[] shape) = _session.Run(batch);
                int length = shape[1], width = shape[2];
                for (int r = 0; r < chunk.Length; r++)
                {
                    var pooled = new float[width];
                    int count = 0;
                    for (int t = 0; t < length; t++)
                    {
                        if (batch.AttentionMask[r * length + t] == 0)
                            continue;
                        count++;
                        for (int h = 0; h < width; h++)
                            pooled[h] += hidden[(r * length + t) * width + h];
                    }
                    float norm = MathF.Sqrt(pooled.Sum(x => x * x / (count * (float)count)));
                    result[chunk[r]] = pooled.Select(x => x / count / Math.Max(norm, 1e-12f)).ToArray();
                }
            }
            return result;
        }

        public void Dispose() => _session.Dispose();
    }
}
