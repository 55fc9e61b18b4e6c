using MLNetExt.Evaluation.Sts;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;
using MLNetExt.Trainers.Training;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>A sentence encoder trained with a <see cref="SentenceEmbeddingLoss"/>, for the <see cref="TrainingLoop"/>.</summary>
public sealed class SentenceEncoderTask : ITrainingTask<ContrastiveBatch>
{
    private readonly SentenceEmbeddingModel _model;
    private readonly SentenceEmbeddingLoss _loss;
    private readonly EncoderTokenizer _tokenizer;
    private readonly SentenceTrainingRows _train;
    private readonly IReadOnlyList<StsPair>? _validation;
    private readonly int _evaluationBatchSize;

    /// <summary>Creates the task; <paramref name="validation"/> enables evaluation (cosine Spearman) and early stopping.</summary>
    public SentenceEncoderTask(SentenceEmbeddingModel model, SentenceEmbeddingLoss loss, EncoderTokenizer tokenizer, SentenceTrainingRows train,
        IReadOnlyList<StsPair>? validation = null, int evaluationBatchSize = 64)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _loss = loss ?? throw new ArgumentNullException(nameof(loss));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _train = train ?? throw new ArgumentNullException(nameof(train));
        _validation = validation;
        _evaluationBatchSize = evaluationBatchSize;
    }

    /// <summary>The name of the primary metric when a validation set is given.</summary>
    public const string StsMetric = "cosine_spearman";

    /// <inheritdoc/>
    public nn.Module Module => _model;

    /// <inheritdoc/>
    public int TrainingRowCount => _train.Count;

    /// <inheritdoc/>
    public string? PrimaryMetric => _validation is null ? null : StsMetric;

    /// <inheritdoc/>
    public bool HigherIsBetter => true;

    /// <inheritdoc/>
    public ContrastiveBatch PrepareBatch(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        TokenizedText[][] selected = _train.Columns.Select(c => rows.Select(i => c[i]).ToArray()).ToArray();
        IReadOnlyList<TokenizedText[]> views = _loss.Views(selected, _tokenizer.MaskTokenId);
        var columns = views.Select(v => EncoderInputs.From(TokenizedBatch.Pad(v))).ToList();
        Tensor? targets = null;
        if (_train.Scores is { } scores)
            targets = tensor(rows.Select(i => scores[i]).ToArray());
        else if (_train.TeacherEmbeddings is { } teacher)
            targets = tensor(rows.SelectMany(i => teacher[i]).ToArray(), [rows.Count, teacher[rows[0]].Length]);
        return new ContrastiveBatch(columns, targets);
    }

    /// <inheritdoc/>
    public Tensor Loss(ContrastiveBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return _loss.Forward(batch.Columns.Select(c => _model.forward(c.InputIds, c.AttentionMask, c.TokenTypeIds)).ToList(), batch.Targets);
    }

    /// <inheritdoc/>
    public Tensor LossAndGradients(ContrastiveBatch batch) => _loss.LossAndGradients(_model, batch);

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken)
    {
        if (_validation is null)
            return new Dictionary<string, double>();
        string[] distinct = _validation.SelectMany(p => new[] { p.Sentence1, p.Sentence2 }).Distinct(StringComparer.Ordinal).ToArray();
        float[][] vectors = Embed(distinct, cancellationToken);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < distinct.Length; i++)
            index[distinct[i]] = i;
        return StsEvaluator.Evaluate(_validation, p => (vectors[index[p.Sentence1]], vectors[index[p.Sentence2]])).ByName;
    }

    /// <summary>Sentence vectors of <paramref name="texts"/> from the module being trained (eval mode, no gradients), in order.</summary>
    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        _model.eval();
        TokenizedText[] rows = texts.Select(t => _tokenizer.Tokenize(t)).ToArray();
        var result = new float[rows.Length][];
        int[] byLength = Enumerable.Range(0, rows.Length).OrderBy(i => rows[i].Ids.Length).ToArray();
        using var noGrad = no_grad();
        for (int start = 0; start < byLength.Length; start += _evaluationBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            int[] chunk = byLength[start..Math.Min(byLength.Length, start + _evaluationBatchSize)];
            using EncoderInputs inputs = EncoderInputs.From(TokenizedBatch.Pad(chunk.Select(i => rows[i]).ToArray()));
            Tensor pooled = _model.forward(inputs.InputIds, inputs.AttentionMask, inputs.TokenTypeIds);
            float[] values = pooled.data<float>().ToArray();
            int width = (int)pooled.shape[1];
            for (int k = 0; k < chunk.Length; k++)
                result[chunk[k]] = values[(k * width)..((k + 1) * width)];
        }
        return result;
    }
}
