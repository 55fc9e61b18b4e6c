using static TorchSharp.torch;

namespace MLNetExt.Trainers.Losses;

/// <summary>
/// Mean squared error between a student's hidden states and its teacher's (TinyBERT, Jiao et al. 2020, "TinyBERT:
/// Distilling BERT for Natural Language Understanding", the hidden-state term with the identity as projection since
/// student and teacher share a width): student layer i is pulled towards the teacher layer it stands for, over the
/// real tokens of each row (padding left out), averaged over the mapped layers.
/// </summary>
/// <remarks>
/// Inputs: the student's and the teacher's per-layer outputs [batch, seq, hidden] of one batch, the attention mask
/// [batch, seq], and for each student layer the teacher layer it is compared with. Pick it beside the embedding MSE
/// (<see cref="EmbeddingDistillationLoss"/>) when the student is made of a subset of the teacher's layers and little
/// text is at hand: every token of every mapped layer gives a target, not only the pooled sentence vector.
/// </remarks>
internal sealed class HiddenStateDistillationLoss
{
    /// <summary>Compares student layer i with teacher layer <paramref name="teacherLayers"/>[i].</summary>
    public HiddenStateDistillationLoss(IReadOnlyList<int> teacherLayers)
    {
        ArgumentNullException.ThrowIfNull(teacherLayers);
        if (teacherLayers.Count == 0)
            throw new ArgumentException("Map at least one student layer to a teacher layer.", nameof(teacherLayers));
        TeacherLayers = teacherLayers.ToArray();
    }

    /// <summary>The teacher layer of each student layer.</summary>
    public IReadOnlyList<int> TeacherLayers { get; }

    /// <summary>The mean over mapped layers of the per-element squared error on real tokens.</summary>
    public Tensor Forward(IReadOnlyList<Tensor> student, IReadOnlyList<Tensor> teacher, Tensor attentionMask)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        if (student.Count != TeacherLayers.Count)
            throw new ArgumentException($"The student has {student.Count} layers; the loss maps {TeacherLayers.Count}.", nameof(student));
        using var scope = NewDisposeScope();
        Tensor mask = attentionMask.to_type(ScalarType.Float32).unsqueeze(-1);
        double elements = Math.Max(1, mask.sum().item<float>()) * student[0].shape[^1];
        Tensor total = zeros(1).squeeze();
        for (int i = 0; i < student.Count; i++)
        {
            int t = TeacherLayers[i];
            if (t < 0 || t >= teacher.Count)
                throw new ArgumentOutOfRangeException(nameof(teacher), t, $"Student layer {i} maps to teacher layer {t}; the teacher has {teacher.Count} layers.");
            Tensor difference = (student[i] - teacher[t]) * mask;
            total = total + difference.pow(2).sum() / elements;
        }
        return (total / student.Count).MoveToOuterDisposeScope();
    }
}
