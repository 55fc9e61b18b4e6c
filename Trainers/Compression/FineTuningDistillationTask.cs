using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// A fine-tuning task whose loss blends the task loss with distillation from an unpruned teacher classifier
/// (<see cref="LogitDistillationLoss.Blend"/>: <c>(1 - w)</c> task <c>+ w</c> KL at temperature 1): the training signal
/// of SHRP's routing run on a classifier with a distillation weight.
/// </summary>
internal sealed class FineTuningDistillationTask : ITrainingTask<FineTuningBatch>
{
    private readonly SequenceClassifier _student;
    private readonly FineTuningTask _inner;
    private readonly SequenceClassifier? _teacher;
    private readonly double _weight;

    public FineTuningDistillationTask(SequenceClassifier student, FineTuningKind kind, FineTuningRows rows, SequenceClassifier? teacher, double weight)
    {
        _student = student;
        _inner = new FineTuningTask(student, kind, rows);
        _teacher = teacher;
        _weight = weight;
    }

    public nn.Module Module => _student;
    public int TrainingRowCount => _inner.TrainingRowCount;
    public IReadOnlyList<int>? TrainingRowLengths => _inner.TrainingRowLengths;
    public string? PrimaryMetric => null;
    public bool HigherIsBetter => true;
    public FineTuningBatch PrepareBatch(IReadOnlyList<int> rows) => _inner.PrepareBatch(rows);
    public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken) => new Dictionary<string, double>();

    public Tensor Loss(FineTuningBatch batch)
    {
        Tensor logits = _student.forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
        if (_teacher is null || _weight == 0)
            return FineTuningTask.TaskLoss(_inner.Kind, logits, batch.Targets);
        Tensor teacher;
        using (no_grad())
            teacher = _teacher.forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
        return LogitDistillationLoss.Blend(_inner.Kind, logits, teacher, batch.Targets, _weight, temperature: 1);
    }
}
