using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.ContextCompression;

/// <summary>
/// Contrastive training of a <see cref="ContextCompressorModel"/> for the <see cref="TrainingLoop"/>: each query (one
/// vector per word piece, i.e. the compressor at ratio 1) must find its own document (compressed at the trained ratio)
/// among the batch's documents by <see cref="LateInteractionLoss"/>.
/// </summary>
public sealed class ContextCompressorTask : ITrainingTask<ContextCompressorBatch>
{
    private readonly ContextCompressorModel _model;
    private readonly LateInteractionLoss _loss;
    private readonly IReadOnlyList<TokenizedText> _queries;
    private readonly IReadOnlyList<TokenizedText> _documents;
    private readonly int _ratio;
    private readonly int? _vectorCount;

    /// <summary>Creates the task over tokenized (query, document) pairs.</summary>
    public ContextCompressorTask(ContextCompressorModel model, LateInteractionLoss loss, IReadOnlyList<TokenizedText> queries,
        IReadOnlyList<TokenizedText> documents, int ratio, int? vectorCount = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _loss = loss ?? throw new ArgumentNullException(nameof(loss));
        _queries = queries ?? throw new ArgumentNullException(nameof(queries));
        _documents = documents ?? throw new ArgumentNullException(nameof(documents));
        if (queries.Count != documents.Count)
            throw new ArgumentException($"Got {queries.Count} queries and {documents.Count} documents; give one document per query.", nameof(documents));
        ContextPooling.CheckRatio(ratio, vectorCount);
        _ratio = ratio;
        _vectorCount = vectorCount;
    }

    /// <inheritdoc/>
    public nn.Module Module => _model;

    /// <inheritdoc/>
    public int TrainingRowCount => _queries.Count;

    /// <inheritdoc/>
    public IReadOnlyList<int>? TrainingRowLengths => _queries.Select((q, i) => q.Length + _documents[i].Length).ToArray();

    /// <inheritdoc/>
    public string? PrimaryMetric => null;

    /// <inheritdoc/>
    public bool HigherIsBetter => false;

    /// <inheritdoc/>
    public ContextCompressorBatch PrepareBatch(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new ContextCompressorBatch(
            CompressedSide.Create(rows.Select(i => _queries[i]).ToArray(), 1),
            CompressedSide.Create(rows.Select(i => _documents[i]).ToArray(), _ratio, _vectorCount));
    }

    /// <inheritdoc/>
    public Tensor Loss(ContextCompressorBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        Tensor queries = batch.Queries.Forward(_model);
        Tensor documents = batch.Documents.Forward(_model);
        return _loss.Forward(queries, batch.Queries.VectorMask, documents, batch.Documents.VectorMask).MoveToOuterDisposeScope();
    }

    /// <summary>The loss of the given rows with the module in eval mode and no gradients (a before/after check).</summary>
    public double EvaluationLoss(IReadOnlyList<int> rows)
    {
        bool wasTraining = _model.training;
        _model.eval();
        try
        {
            using var noGrad = no_grad();
            using ContextCompressorBatch batch = PrepareBatch(rows);
            using Tensor loss = Loss(batch);
            return loss.item<float>();
        }
        finally
        {
            _model.train(wasTraining);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken) => new Dictionary<string, double>();
}
