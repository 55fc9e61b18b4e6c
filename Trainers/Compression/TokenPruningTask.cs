using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms.TokenPruning;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// Fine-tuning through the token-pruned forward (<see cref="SequenceClassifier.ForwardPruned"/>): each batch runs with
/// the target schedule or, for the other batches, a schedule drawn between no pruning and a little past the target.
/// With a teacher (the unpruned classifier), the loss mixes the task loss with distillation of its outputs
/// (<see cref="LogitDistillationLoss"/>).
/// </summary>
internal sealed class TokenPruningTask : ITrainingTask<FineTuningBatch>
{
    private const double StrongestDraw = 1.25;

    private readonly SequenceClassifier _model;
    private readonly FineTuningTask _inner;
    private readonly TokenKeepSchedule _target;
    private readonly double _targetShare;
    private readonly Random _random;
    private readonly SequenceClassifier? _teacher;
    private readonly double _distillationWeight;
    private readonly double _temperature;

    public TokenPruningTask(SequenceClassifier model, FineTuningKind kind, FineTuningRows rows, TokenKeepSchedule target, double targetShare, int seed,
        SequenceClassifier? teacher = null, double distillationWeight = 0, double temperature = 1)
    {
        _teacher = teacher;
        _distillationWeight = distillationWeight;
        _temperature = temperature;
        _model = model;
        _inner = new FineTuningTask(model, kind, rows);
        _target = target;
        _targetShare = targetShare;
        _random = new Random(seed);
        Kind = kind;
    }

    public FineTuningKind Kind { get; }

    public nn.Module Module => _model;

    public int TrainingRowCount => _inner.TrainingRowCount;

    public IReadOnlyList<int>? TrainingRowLengths => _inner.TrainingRowLengths;

    public string? PrimaryMetric => null;

    public bool HigherIsBetter => true;

    public FineTuningBatch PrepareBatch(IReadOnlyList<int> rows) => _inner.PrepareBatch(rows);

    public Tensor Loss(FineTuningBatch batch)
    {
        Tensor logits = _model.ForwardPruned(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds, Draw());
        if (_teacher is null || _distillationWeight == 0)
            return FineTuningTask.TaskLoss(Kind, logits, batch.Targets);
        Tensor teacher;
        using (no_grad())
            teacher = _teacher.forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
        return LogitDistillationLoss.Blend(Kind, logits, teacher, batch.Targets, _distillationWeight, _temperature);
    }

    public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken) => new Dictionary<string, double>();

    /// <summary>The target, or <c>1 - u (1 - target)</c> per layer with u uniform in [0, 1.25] (kept above 0 and non-increasing).</summary>
    internal TokenKeepSchedule Draw()
    {
        if (_random.NextDouble() < _targetShare)
            return _target;
        double u = _random.NextDouble() * StrongestDraw;
        double[] fractions = _target.Fractions.Select((t, l) => l == 0 ? 1.0 : Math.Max(0.05, 1 - u * (1 - t))).ToArray();
        for (int l = 1; l < fractions.Length; l++)
            fractions[l] = Math.Min(fractions[l], fractions[l - 1]);
        return TokenKeepSchedule.Create(fractions, fractions.Length);
    }
}
