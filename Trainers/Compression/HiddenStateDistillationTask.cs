using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// Distillation on hidden states as a task of the <see cref="TrainingLoop"/>: the teacher runs beside the student in
/// TorchSharp (eval mode, no gradients), and the loss is the embedding MSE of the pooled sentence vectors
/// (<see cref="EmbeddingDistillationLoss"/>'s formula) plus <c>weight</c> times the MSE between each student layer's
/// output and the teacher layer it stands for (<see cref="HiddenStateDistillationLoss"/>), plus <c>attentionWeight</c>
/// times the KL divergence between their attention distributions (<see cref="AttentionDistillationLoss"/>). Evaluation
/// (when asked) goes through the student as a <see cref="SentenceEncoderTask"/> does.
/// </summary>
internal sealed class HiddenStateDistillationTask : ITrainingTask<ContrastiveBatch>, IDisposable
{
    private readonly SentenceEmbeddingModel _student;
    private readonly BertModel _teacher;
    private readonly HiddenStateDistillationLoss _hidden;
    private readonly double _weight;
    private readonly double _attentionWeight;
    private readonly int[] _studentLayers;
    private readonly TokenizedText[] _rows;
    private readonly SentenceEncoderTask _evaluation;

    public HiddenStateDistillationTask(SentenceEmbeddingModel student, BertModel teacher, IReadOnlyList<int> teacherLayers, double weight, double attentionWeight,
        EncoderTokenizer tokenizer, TokenizedText[] rows, IReadOnlyList<SentenceEncoderEvaluator> evaluators)
    {
        _student = student;
        _teacher = teacher;
        _teacher.eval();
        foreach (var parameter in _teacher.parameters())
            parameter.requires_grad = false;
        _hidden = new HiddenStateDistillationLoss(teacherLayers);
        _weight = weight;
        _attentionWeight = attentionWeight;
        _studentLayers = attentionWeight > 0 ? Enumerable.Range(0, teacherLayers.Count).ToArray() : [];
        _rows = rows;
        _evaluation = new SentenceEncoderTask(student, new EmbeddingDistillationLoss(), tokenizer, new SentenceTrainingRows([rows]), evaluators);
    }

    /// <summary>The non-empty texts of <paramref name="column"/>, tokenized.</summary>
    public static TokenizedText[] ReadRows(IDataView data, string column, EncoderTokenizer tokenizer)
    {
        DataViewSchema.Column text = data.Schema[column];
        using DataViewRowCursor cursor = data.GetRowCursor([text]);
        ValueGetter<ReadOnlyMemory<char>> get = cursor.GetGetter<ReadOnlyMemory<char>>(text);
        ReadOnlyMemory<char> value = default;
        var rows = new List<TokenizedText>();
        while (cursor.MoveNext())
        {
            get(ref value);
            rows.Add(tokenizer.Tokenize(value.ToString()));
        }
        if (rows.Count == 0)
            throw new ArgumentException("The training data has no rows.", nameof(data));
        return [.. rows];
    }

    public nn.Module Module => _student;
    public int TrainingRowCount => _rows.Length;
    public IReadOnlyList<int>? TrainingRowLengths => _rows.Select(r => r.Ids.Length).ToArray();
    public string? PrimaryMetric => _evaluation.PrimaryMetric;
    public bool HigherIsBetter => _evaluation.HigherIsBetter;

    public ContrastiveBatch PrepareBatch(IReadOnlyList<int> rows) =>
        new([EncoderInputs.From(TokenizedBatch.Pad(rows.Select(i => _rows[i]).ToArray()))], null);

    public Tensor Loss(ContrastiveBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        EncoderInputs inputs = batch.Columns[0];
        (Tensor[] student, Tensor[] teacher, Tensor[] studentAttention, Tensor[] teacherAttention) = PairedStates(_student.Encoder, _teacher,
            inputs.InputIds, inputs.AttentionMask, inputs.TokenTypeIds, _studentLayers, _attentionWeight > 0 ? _hidden.TeacherLayers : []);
        Tensor pooledStudent = Pooling.Pool(student[^1], inputs.AttentionMask, _student.Pooling);
        Tensor pooledTeacher = Pooling.Pool(teacher[^1], inputs.AttentionMask, _student.Pooling);
        Tensor loss = nn.functional.mse_loss(pooledStudent, pooledTeacher);
        if (_weight > 0)
            loss = loss + _weight * _hidden.Forward(student, teacher, inputs.AttentionMask);
        if (_attentionWeight > 0)
            loss = loss + _attentionWeight * AttentionDistillationLoss.Forward(studentAttention, teacherAttention, inputs.AttentionMask);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Every layer's output of the student (with gradients) and of the frozen teacher (without) for one batch: what the
    /// hidden-state term compares (<see cref="HiddenStateDistillationLoss"/>); the last of each is the last hidden state.
    /// </summary>
    internal static (Tensor[] Student, Tensor[] Teacher) PairedStates(BertModel student, BertModel teacher, Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        (Tensor[] studentStates, Tensor[] teacherStates, _, _) = PairedStates(student, teacher, inputIds, attentionMask, tokenTypeIds, [], []);
        return (studentStates, teacherStates);
    }

    /// <summary>
    /// <see cref="PairedStates(BertModel, BertModel, Tensor, Tensor, Tensor)"/> and the attention log-probabilities of the
    /// named student and teacher layers (in those orders): what the attention-map term compares (<see cref="AttentionDistillationLoss"/>).
    /// </summary>
    internal static (Tensor[] Student, Tensor[] Teacher, Tensor[] StudentAttention, Tensor[] TeacherAttention) PairedStates(BertModel student, BertModel teacher,
        Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds, IReadOnlyList<int> studentAttentionLayers, IReadOnlyList<int> teacherAttentionLayers)
    {
        Tensor[] teacherStates, teacherAttention;
        using (no_grad())
            (teacherStates, teacherAttention) = teacher.HiddenStates(inputIds, attentionMask, tokenTypeIds, teacherAttentionLayers);
        (Tensor[] studentStates, Tensor[] studentAttention) = student.HiddenStates(inputIds, attentionMask, tokenTypeIds, studentAttentionLayers);
        return (studentStates, teacherStates, studentAttention, teacherAttention);
    }

    public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken) => _evaluation.Evaluate(cancellationToken);

    public void Dispose() => _teacher.Dispose();
}
