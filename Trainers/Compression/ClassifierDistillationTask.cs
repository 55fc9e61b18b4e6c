using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// A student classifier or regressor learning from a frozen teacher as a task of the <see cref="TrainingLoop"/>: the
/// loss is <c>(1 - w) task loss + w</c> <see cref="LogitDistillationLoss"/> (KL at a temperature; squared error for a
/// regressor), plus, when asked, a weight times the hidden-state MSE of mapped layers
/// (<see cref="HiddenStateDistillationLoss"/>, the teacher's layers computed as <see cref="HiddenStateDistillationTask"/> does).
/// Also the training signal of SHRP's routing run on a classifier (temperature 1, no hidden-state term; without a teacher
/// when its distillation weight is 0).
/// </summary>
internal sealed class ClassifierDistillationTask : ITrainingTask<FineTuningBatch>
{
    private readonly SequenceClassifier _student;
    private readonly SequenceClassifier? _teacher;
    private readonly FineTuningTask _inner;
    private readonly double _weight;
    private readonly double _temperature;
    private readonly HiddenStateDistillationLoss? _hidden;
    private readonly double _hiddenWeight;

    /// <param name="student">The classifier trained.</param>
    /// <param name="teacher">The frozen teacher (evaluation mode, no gradients); null only with <paramref name="weight"/> 0 and no hidden-state term.</param>
    /// <param name="kind">Classification or regression.</param>
    /// <param name="rows">The training rows (targets read only when <paramref name="weight"/> is below 1).</param>
    /// <param name="weight">Weight of distillation against the task loss, in [0, 1].</param>
    /// <param name="temperature">Softening of both class distributions.</param>
    /// <param name="teacherLayers">The teacher layer each student layer is compared with; null without the hidden-state term.</param>
    /// <param name="hiddenWeight">Weight of the hidden-state term.</param>
    public ClassifierDistillationTask(SequenceClassifier student, SequenceClassifier? teacher, FineTuningKind kind, FineTuningRows rows,
        double weight, double temperature, IReadOnlyList<int>? teacherLayers, double hiddenWeight)
    {
        _student = student;
        _teacher = teacher;
        _inner = new FineTuningTask(student, kind, rows);
        _weight = weight;
        _temperature = temperature;
        _hiddenWeight = hiddenWeight;
        _hidden = teacherLayers is not null && hiddenWeight > 0 ? new HiddenStateDistillationLoss(teacherLayers) : null;
        if (teacher is null && (weight > 0 || _hidden is not null))
            throw new ArgumentNullException(nameof(teacher), "Distillation needs the teacher.");
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
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        Tensor logits, teacher;
        Tensor? hidden = null;
        if (_teacher is null)
            return FineTuningTask.TaskLoss(_inner.Kind, _student.forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds), batch.Targets).MoveToOuterDisposeScope();
        if (_hidden is not null)
        {
            (Tensor[] studentStates, Tensor[] teacherStates) = HiddenStateDistillationTask.PairedStates(_student.Encoder, _teacher.Encoder,
                batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
            logits = _student.ForwardFromHidden(studentStates[^1], batch.AttentionMask);
            using (no_grad())
                teacher = _teacher.ForwardFromHidden(teacherStates[^1], batch.AttentionMask);
            hidden = _hidden.Forward(studentStates, teacherStates, batch.AttentionMask);
        }
        else
        {
            logits = _student.forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
            using (no_grad())
                teacher = _teacher.forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
        }
        Tensor loss = LogitDistillationLoss.Blend(_inner.Kind, logits, teacher, batch.Targets, _weight, _temperature);
        if (hidden is not null)
            loss = loss + _hiddenWeight * hidden;
        return loss.MoveToOuterDisposeScope();
    }
}
