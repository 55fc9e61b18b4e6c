using MLNetExt.Evaluation.Metrics;
using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;
using MLNetExt.Trainers.Training;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>Whether a fine-tuning head predicts classes or a number.</summary>
public enum FineTuningKind
{
    /// <summary>Softmax over classes, cross-entropy loss; metrics accuracy, F1 of class 1, MCC.</summary>
    Classification,

    /// <summary>One output, mean squared error loss; metrics Pearson and Spearman.</summary>
    Regression,

    /// <summary>One tag per word (named entities), cross-entropy on each word's first piece; metrics entity-level F1.</summary>
    TokenClassification,
}

/// <summary>Tokenized rows with their targets (class index or value).</summary>
public sealed class FineTuningRows
{
    /// <summary>Creates the set.</summary>
    public FineTuningRows(IReadOnlyList<TokenizedText> rows, IReadOnlyList<float> targets)
    {
        if (rows.Count != targets.Count)
            throw new ArgumentException($"{rows.Count} rows but {targets.Count} targets.", nameof(targets));
        Rows = rows;
        Targets = targets;
    }

    /// <summary>The tokenized inputs.</summary>
    public IReadOnlyList<TokenizedText> Rows { get; }

    /// <summary>Class index (classification) or value (regression) of each row.</summary>
    public IReadOnlyList<float> Targets { get; }
}

/// <summary>A padded batch as tensors, with its targets.</summary>
public sealed class FineTuningBatch : IDisposable
{
    internal FineTuningBatch(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds, Tensor targets)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
        TokenTypeIds = tokenTypeIds;
        Targets = targets;
    }

    /// <summary>Token ids [batch, seq].</summary>
    public Tensor InputIds { get; }

    /// <summary>Attention mask [batch, seq].</summary>
    public Tensor AttentionMask { get; }

    /// <summary>Segment ids [batch, seq].</summary>
    public Tensor TokenTypeIds { get; }

    /// <summary>Class indices (int64) or values (float32) [batch].</summary>
    public Tensor Targets { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        TokenTypeIds.Dispose();
        Targets.Dispose();
    }
}

/// <summary>Sentence (pair) classification or regression with a <see cref="SequenceClassifier"/>, for the <see cref="TrainingLoop"/>.</summary>
public sealed class FineTuningTask : ITrainingTask<FineTuningBatch>
{
    private readonly SequenceClassifier _model;
    private readonly FineTuningRows _train;
    private readonly FineTuningRows? _validation;
    private readonly int _evaluationBatchSize;
    private readonly string _validationMetric;

    /// <summary>The measures <see cref="Evaluate"/> returns for classification.</summary>
    public static IReadOnlyList<string> ClassificationMeasures { get; } = ["accuracy", "f1", "mcc"];

    /// <summary>The measures <see cref="Evaluate"/> returns for regression.</summary>
    public static IReadOnlyList<string> RegressionMeasures { get; } = ["pearson", "spearman"];

    /// <summary>Creates the task; <paramref name="validation"/> enables evaluation and early stopping.</summary>
    /// <param name="model">The classifier or regressor trained.</param>
    /// <param name="kind">Classification or regression.</param>
    /// <param name="train">The training rows.</param>
    /// <param name="validation">Rows scored during training; null for none.</param>
    /// <param name="evaluationBatchSize">Rows per batch when the validation rows are scored.</param>
    /// <param name="validationMetric">The measure that picks the best step (one of <see cref="ClassificationMeasures"/> or
    /// <see cref="RegressionMeasures"/>, by <paramref name="kind"/>); null: accuracy, or spearman for regression.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationMetric"/> is not a measure of <paramref name="kind"/>.</exception>
    public FineTuningTask(SequenceClassifier model, FineTuningKind kind, FineTuningRows train,
        FineTuningRows? validation = null, int evaluationBatchSize = 64, string? validationMetric = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _train = train ?? throw new ArgumentNullException(nameof(train));
        _validation = validation;
        _evaluationBatchSize = evaluationBatchSize;
        Kind = kind;
        IReadOnlyList<string> measures = kind == FineTuningKind.Classification ? ClassificationMeasures : RegressionMeasures;
        if (validationMetric is not null && !measures.Contains(validationMetric))
            throw new ArgumentOutOfRangeException(nameof(validationMetric), validationMetric,
                $"Validation metric '{validationMetric}' is not a {kind.ToString().ToLowerInvariant()} measure; expected one of {string.Join(", ", measures)}.");
        _validationMetric = validationMetric ?? measures[kind == FineTuningKind.Classification ? 0 : 1];
    }

    /// <summary>Classification or regression.</summary>
    public FineTuningKind Kind { get; }

    /// <inheritdoc/>
    public nn.Module Module => _model;

    /// <inheritdoc/>
    public int TrainingRowCount => _train.Rows.Count;

    /// <inheritdoc/>
    public IReadOnlyList<int>? TrainingRowLengths => _train.Rows.Select(r => r.Length).ToArray();

    /// <inheritdoc/>
    public string? PrimaryMetric => _validation is null ? null : _validationMetric;

    /// <inheritdoc/>
    public bool HigherIsBetter => true;

    /// <inheritdoc/>
    public FineTuningBatch PrepareBatch(IReadOnlyList<int> rows) => MakeBatch(_train, rows);

    /// <inheritdoc/>
    public Tensor Loss(FineTuningBatch batch)
    {
        Tensor logits = _model.forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
        return TaskLoss(Kind, logits, batch.Targets);
    }

    /// <summary>The task loss of head outputs: cross-entropy against class indices, or squared error against values.</summary>
    internal static Tensor TaskLoss(FineTuningKind kind, Tensor logits, Tensor targets) => kind == FineTuningKind.Classification
        ? nn.functional.cross_entropy(logits, targets)
        : nn.functional.mse_loss(logits.squeeze(-1), targets);

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken)
    {
        if (_validation is null)
            return new Dictionary<string, double>();
        float[][] outputs = Predict(_validation.Rows, cancellationToken);
        return Metrics(Kind, _validation.Targets, outputs);
    }

    /// <summary>The head outputs of <paramref name="rows"/>, in order (batched by similar length).</summary>
    public float[][] Predict(IReadOnlyList<TokenizedText> rows, CancellationToken cancellationToken = default)
    {
        _model.eval();
        var result = new float[rows.Count][];
        using var noGrad = no_grad();
        foreach ((int[] chunk, TokenizedBatch padded) in TokenizedBatch.LengthSorted(rows, _evaluationBatchSize, cancellationToken))
        {
            using var scope = NewDisposeScope();
            long[] dims = [padded.Rows, padded.Length];
            float[] logits = _model.forward(tensor(padded.InputIds, dims), tensor(padded.AttentionMask, dims), tensor(padded.TokenTypeIds, dims))
                .data<float>().ToArray();
            int width = _model.Outputs;
            for (int k = 0; k < chunk.Length; k++)
                result[chunk[k]] = logits[(k * width)..((k + 1) * width)];
        }
        return result;
    }

    /// <summary>GLUE metrics of head outputs against targets: accuracy, f1 (class 1), mcc; or pearson, spearman.</summary>
    public static IReadOnlyDictionary<string, double> Metrics(FineTuningKind kind, IReadOnlyList<float> targets, IReadOnlyList<float[]> outputs)
    {
        if (kind == FineTuningKind.Regression)
        {
            double[] gold = targets.Select(t => (double)t).ToArray();
            double[] predicted = outputs.Select(o => (double)o[0]).ToArray();
            return new Dictionary<string, double>
            {
                ["pearson"] = Correlation.Pearson(gold, predicted),
                ["spearman"] = Correlation.Spearman(gold, predicted),
            };
        }
        int[] goldClasses = targets.Select(t => (int)t).ToArray();
        int[] predictedClasses = outputs.Select(ArgMax).ToArray();
        return new Dictionary<string, double>
        {
            ["accuracy"] = ClassificationMetrics.Accuracy(goldClasses, predictedClasses),
            ["f1"] = ClassificationMetrics.F1(goldClasses, predictedClasses),
            ["mcc"] = ClassificationMetrics.MatthewsCorrelation(goldClasses, predictedClasses),
        };
    }

    internal static int ArgMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best])
                best = i;
        return best;
    }

    private FineTuningBatch MakeBatch(FineTuningRows set, IReadOnlyList<int> rows)
    {
        TokenizedBatch padded = TokenizedBatch.Pad(rows.Select(i => set.Rows[i]).ToArray());
        long[] dims = [padded.Rows, padded.Length];
        Tensor targets = Kind == FineTuningKind.Classification
            ? tensor(rows.Select(i => (long)set.Targets[i]).ToArray())
            : tensor(rows.Select(i => set.Targets[i]).ToArray());
        return new FineTuningBatch(tensor(padded.InputIds, dims), tensor(padded.AttentionMask, dims), tensor(padded.TokenTypeIds, dims), targets);
    }
}
