using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;
using MLNetExt.Trainers.Training;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>
/// A sentence encoder trained with a <see cref="SentenceEmbeddingLoss"/>, for the <see cref="TrainingLoop"/>; as an
/// <see cref="ITextEmbedder"/> it embeds texts with the module being trained, which is how its evaluators score it.
/// </summary>
public sealed class SentenceEncoderTask : ITrainingTask<ContrastiveBatch>, ITextEmbedder
{
    private readonly SentenceEmbeddingModel _model;
    private readonly SentenceEmbeddingLoss _loss;
    private readonly EncoderTokenizer _tokenizer;
    private readonly SentenceTrainingRows _train;
    private readonly IReadOnlyList<SentenceEncoderEvaluator> _evaluators;
    private readonly int _evaluationBatchSize;

    /// <summary>
    /// Creates the task; <paramref name="evaluators"/> enable evaluation during training (the first one's primary metric
    /// decides early stopping and the best weights).
    /// </summary>
    public SentenceEncoderTask(SentenceEmbeddingModel model, SentenceEmbeddingLoss loss, EncoderTokenizer tokenizer, SentenceTrainingRows train,
        IReadOnlyList<SentenceEncoderEvaluator>? evaluators = null, int evaluationBatchSize = 64)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _loss = loss ?? throw new ArgumentNullException(nameof(loss));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _train = train ?? throw new ArgumentNullException(nameof(train));
        _evaluators = evaluators ?? [];
        _evaluationBatchSize = evaluationBatchSize;
    }

    /// <inheritdoc/>
    public nn.Module Module => _model;

    /// <inheritdoc/>
    public int TrainingRowCount => _train.Count;

    /// <inheritdoc/>
    /// <remarks>A row's length is the sum of its texts' token counts.</remarks>
    public IReadOnlyList<int>? TrainingRowLengths => Enumerable.Range(0, _train.Count).Select(i => _train.Columns.Sum(c => c[i].Length)).ToArray();

    /// <inheritdoc/>
    /// <remarks>
    /// With in-batch negatives every text of a row is a key (its token ids), so two rows sharing an anchor or a positive
    /// never meet in one batch, where each would be the other's false negative; other losses report none.
    /// </remarks>
    public IReadOnlyList<IReadOnlyList<string>>? TrainingRowKeys => !_loss.UsesInBatchNegatives ? null
        : Enumerable.Range(0, _train.Count).Select(i => (IReadOnlyList<string>)_train.Columns.Select(c => Key(c[i])).ToArray()).ToArray();

    /// <inheritdoc/>
    /// <remarks>The training sets of <see cref="SentenceTrainingRows.Concatenate"/>d rows: each batch comes from one set, the sets in turn.</remarks>
    public IReadOnlyList<int>? TrainingRowSources => _train.Sources;

    private static string Key(TokenizedText text) => string.Join(' ', text.Ids);

    /// <inheritdoc/>
    public string? PrimaryMetric => _evaluators.Count == 0 ? null : _evaluators[0].Qualify(_evaluators[0].PrimaryMetric);

    /// <inheritdoc/>
    public bool HigherIsBetter => _evaluators.Count == 0 || _evaluators[0].HigherIsBetter;

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
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (SentenceEncoderEvaluator evaluator in _evaluators)
            foreach ((string name, double value) in evaluator.Evaluate(this, cancellationToken))
                metrics[evaluator.Qualify(name)] = value;
        return metrics;
    }

    /// <inheritdoc/>
    public void Embed(IReadOnlyList<string> texts, EmbeddingSink onEmbedding, string stage = "texts",
        IProgress<EncodingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onEmbedding);
        float[][] vectors = Embed(texts, cancellationToken);
        for (int i = 0; i < vectors.Length; i++)
            onEmbedding(i, vectors[i]);
        progress?.Report(new EncodingProgress(stage, vectors.Length, vectors.Length));
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
