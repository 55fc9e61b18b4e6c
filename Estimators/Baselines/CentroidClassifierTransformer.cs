using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNetExt.Transforms.Persistence;

namespace MLNetExt.Estimators.Baselines;

/// <summary>
/// A classifier that needs no training beyond counting: either the majority class of the training rows, or the class
/// whose centroid of L2-normalised training embeddings is nearest in cosine (nearest-centroid). The zero-training
/// baselines a classification sweep compares with.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input</term><description>majority: none; nearest-centroid: a Single vector of the embedding size</description></item>
/// <item><term>Output</term><description><c>Score</c> (Single vector, one value per class) and <c>PredictedLabel</c> (a key over the training classes, with their values)</description></item>
/// <item><term>Scores</term><description>majority: the class frequencies of the training rows; nearest-centroid: softmax of <see cref="CosineScale"/> × cosine to each centroid</description></item>
/// <item><term>Persistence</term><description><c>mlContext.Model.SaveWithEncoders</c> (a pipeline part); <c>mlContext.Model.Save</c> refuses it</description></item>
/// </list>
/// </remarks>
[PipelinePart(typeof(CentroidClassifierPart))]
public sealed class CentroidClassifierTransformer : ITransformer
{
    /// <summary>The scale applied to cosines before the softmax (the scale of MultipleNegativesRankingLoss), so that scores are probabilities and log-loss is defined.</summary>
    public const float CosineScale = 20;

    private readonly ITransformer _mapping;

    internal CentroidClassifierTransformer(MLContext mlContext, string? inputColumn, string[] classes, float[] priors, float[][]? centroids)
    {
        InputColumn = inputColumn;
        Classes = classes;
        Priors = priors;
        Centroids = centroids;
        _mapping = centroids is null ? MajorityMapping(mlContext) : (ITransformer)CentroidMapping(mlContext);
    }

    /// <summary>The embedding column read by nearest-centroid; null for the majority class, which reads nothing.</summary>
    public string? InputColumn { get; }

    /// <summary>The class values in key order (key 1 is the first).</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>The share of each class among the training rows.</summary>
    public IReadOnlyList<float> Priors { get; }

    /// <summary>The unit-length class centroids, or null for the majority class.</summary>
    public IReadOnlyList<float[]>? Centroids { get; }

    /// <summary>True: rows are scored one at a time.</summary>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _mapping.GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _mapping.GetRowToRowMapper(inputSchema);

    /// <inheritdoc />
    public IDataView Transform(IDataView input) => _mapping.Transform(input);

    /// <summary>Not supported: ML.NET's model format cannot hold this transformer.</summary>
    /// <exception cref="NotSupportedException">Always; save the pipeline with <c>mlContext.Model.SaveWithEncoders</c>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException($"{nameof(CentroidClassifierTransformer)} cannot be written by mlContext.Model.Save; save the pipeline with mlContext.Model.SaveWithEncoders.");

    /// <summary>The majority class of <paramref name="labelled"/>'s key column <paramref name="labelColumn"/> (ties: the first key).</summary>
    public static CentroidClassifierTransformer FitMajority(MLContext mlContext, IDataView labelled, string labelColumn)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(labelled);
        var (classes, keys) = ReadLabels(labelled, labelColumn);
        return new CentroidClassifierTransformer(mlContext, null, classes, ClassShares(keys, classes.Length), null);
    }

    /// <summary>Nearest-centroid over the embedding column <paramref name="featuresColumn"/> of <paramref name="labelled"/>, labelled by the key column <paramref name="labelColumn"/>.</summary>
    public static CentroidClassifierTransformer FitNearestCentroid(MLContext mlContext, IDataView labelled, string labelColumn, string featuresColumn)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(labelled);
        DataViewSchema.Column features = labelled.Schema.GetColumnOrNull(featuresColumn)
            ?? throw new ArgumentOutOfRangeException(nameof(featuresColumn), $"Could not find input column '{featuresColumn}'.");
        if (features.Type is not VectorDataViewType { ItemType: NumberDataViewType n, Size: > 0 } || n != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(featuresColumn), $"Schema mismatch for input column '{featuresColumn}': expected known-size vector of Single, got {features.Type}.");
        var (classes, keys) = ReadLabels(labelled, labelColumn);
        float[][] vectors = labelled.GetColumn<float[]>(featuresColumn).ToArray();
        int dimensions = ((VectorDataViewType)features.Type).Size;
        var sums = new double[classes.Length][];
        for (int c = 0; c < classes.Length; c++)
            sums[c] = new double[dimensions];
        for (int row = 0; row < vectors.Length; row++)
        {
            float[] x = vectors[row];
            double norm = Math.Sqrt(x.Sum(v => (double)v * v));
            if (norm == 0 || keys[row] == 0)
                continue;
            double[] sum = sums[keys[row] - 1];
            for (int d = 0; d < dimensions; d++)
                sum[d] += x[d] / norm;
        }
        float[][] centroids = sums.Select(s =>
        {
            double norm = Math.Sqrt(s.Sum(v => v * v));
            return s.Select(v => norm > 0 ? (float)(v / norm) : 0f).ToArray();
        }).ToArray();
        return new CentroidClassifierTransformer(mlContext, featuresColumn, classes, ClassShares(keys, classes.Length), centroids);
    }

    private static (string[] Classes, uint[] Keys) ReadLabels(IDataView data, string labelColumn)
    {
        DataViewSchema.Column label = data.Schema.GetColumnOrNull(labelColumn)
            ?? throw new ArgumentOutOfRangeException(nameof(labelColumn), $"Could not find label column '{labelColumn}'.");
        if (label.Type is not KeyDataViewType { Count: > 0 } key)
            throw new ArgumentOutOfRangeException(nameof(labelColumn), $"Schema mismatch for label column '{labelColumn}': expected Key, got {label.Type}.");
        VBuffer<ReadOnlyMemory<char>> values = default;
        label.GetKeyValues(ref values);
        string[] classes = values.DenseValues().Select(v => v.ToString()).ToArray();
        if (classes.Length != (int)key.Count)
            throw new ArgumentOutOfRangeException(nameof(labelColumn), $"The label column '{labelColumn}' has {key.Count} keys but {classes.Length} key values.");
        return (classes, data.GetColumn<uint>(labelColumn).ToArray());
    }

    private static float[] ClassShares(uint[] keys, int classCount)
    {
        var counts = new float[classCount];
        foreach (uint k in keys.Where(k => k > 0))
            counts[k - 1]++;
        float total = Math.Max(1, counts.Sum());
        return counts.Select(c => c / total).ToArray();
    }

    private CustomMappingTransformer<AnyInput, Output> MajorityMapping(MLContext ml)
    {
        float[] scores = Priors.ToArray();
        uint majority = (uint)Array.IndexOf(scores, scores.Max());
        return Fit(ml, (AnyInput _, Output o) =>
        {
            o.Score = (float[])scores.Clone();
            o.PredictedLabel = majority;
        }, input: null, Classes);
    }

    private CustomMappingTransformer<VectorInput, Output> CentroidMapping(MLContext ml)
    {
        float[][] centroids = Centroids!.ToArray();
        var input = SchemaDefinition.Create(typeof(VectorInput));
        input[0].ColumnName = InputColumn;
        return Fit(ml, (VectorInput i, Output o) =>
        {
            float[] x = i.Features;
            double norm = Math.Sqrt(x.Sum(v => (double)v * v));
            var logits = new double[centroids.Length];
            for (int c = 0; c < centroids.Length; c++)
            {
                float[] centroid = centroids[c];
                if (centroid.Length != x.Length)
                    throw new InvalidOperationException($"The embedding has {x.Length} values; the centroids have {centroid.Length}.");
                double dot = 0;
                for (int d = 0; d < x.Length; d++)
                    dot += x[d] * centroid[d];
                logits[c] = CosineScale * (norm > 0 ? dot / norm : 0);
            }
            double max = logits.Max();
            double[] exp = logits.Select(l => Math.Exp(l - max)).ToArray();
            double total = exp.Sum();
            o.Score = exp.Select(e => (float)(e / total)).ToArray();
            o.PredictedLabel = (uint)Array.IndexOf(logits, max);
        }, input, Classes);
    }

    private static CustomMappingTransformer<TInput, Output> Fit<TInput>(MLContext ml, Action<TInput, Output> map, SchemaDefinition? input, IReadOnlyList<string> classes) where TInput : class, new()
    {
        int k = classes.Count;
        var output = SchemaDefinition.Create(typeof(Output));
        output[nameof(Output.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, k);
        var predicted = output[nameof(Output.PredictedLabel)];
        predicted.ColumnType = new KeyDataViewType(typeof(uint), k);
        var names = new VBuffer<ReadOnlyMemory<char>>(k, classes.Select(c => c.AsMemory()).ToArray());
        predicted.AddAnnotation("KeyValues", names, new VectorDataViewType(TextDataViewType.Instance, k));
        var estimator = ml.Transforms.CustomMapping(map, contractName: null, inputSchemaDefinition: input, outputSchemaDefinition: output);
        return estimator.Fit(ml.Data.LoadFromEnumerable(Array.Empty<TInput>(), input));
    }

    private sealed class AnyInput
    {
    }

    private sealed class VectorInput
    {
        [VectorType]
        public float[] Features { get; set; } = [];
    }

    private sealed class Output
    {
        public float[] Score { get; set; } = [];

        // A key-typed member of a mapped class holds the 0-based class index: ML.NET stores it as key index + 1 (0 is "missing").
        public uint PredictedLabel { get; set; }
    }
}
