using static TorchSharp.torch;

namespace MLNetExt.Trainers.Losses;

/// <summary>
/// Kullback-Leibler divergence from a teacher's self-attention distributions to its student's (the attention transfer
/// of MiniLM, Wang et al. 2020, "MiniLM: Deep Self-Attention Distillation for Task-Agnostic Compression of
/// Pre-Trained Transformers", applied to every mapped layer as TinyBERT, Jiao et al. 2020, maps layers): for each
/// mapped layer pair, each head and each real query token, KL(teacher || student) over the real keys, averaged over
/// heads, real query tokens and layer pairs. Padding queries and keys are left out.
/// </summary>
/// <remarks>
/// Inputs: for each mapped pair, the student's and the teacher's attention log-probabilities [batch, heads, query, key]
/// (<see cref="Modules.BertSelfAttention.AttentionLogProbabilities"/>), and the attention mask [batch, seq] (1 real,
/// 0 padding). Student and teacher layers must have the same number of heads. Pick it beside the embedding MSE
/// (<see cref="EmbeddingDistillationLoss"/>) and the hidden-state MSE (<see cref="HiddenStateDistillationLoss"/>) when
/// the student is made of a subset of the teacher's layers: it teaches where each head looks, a target that does not
/// depend on the scale of the hidden states.
/// </remarks>
internal static class AttentionDistillationLoss
{
    /// <summary>The mean over pairs, heads and real query tokens of KL(teacher || student) over real keys.</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty, or a pair differs in shape (heads or length).</exception>
    public static Tensor Forward(IReadOnlyList<Tensor> student, IReadOnlyList<Tensor> teacher, Tensor attentionMask)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (student.Count == 0 || student.Count != teacher.Count)
            throw new ArgumentException($"Give one teacher attention map per student map; got {student.Count} student and {teacher.Count} teacher maps.", nameof(teacher));
        using var scope = NewDisposeScope();
        Tensor real = attentionMask.to_type(ScalarType.Float32);
        // [batch, 1, query, key]: 1 where both the query and the key are real tokens.
        Tensor pairs = (real.unsqueeze(-1) * real.unsqueeze(1)).unsqueeze(1);
        double queries = Math.Max(1, real.sum().item<float>());
        Tensor total = zeros(1).squeeze();
        for (int i = 0; i < student.Count; i++)
        {
            if (!student[i].shape.SequenceEqual(teacher[i].shape))
                throw new ArgumentException(
                    $"Mapped pair {i}: the student's attention map has shape [{string.Join(", ", student[i].shape)}], the teacher's [{string.Join(", ", teacher[i].shape)}]; attention distillation needs the same heads.",
                    nameof(student));
            // Padding keys carry probability exp(-10000) = 0 and finite log-probabilities, so the mask only has to keep them (and padding queries) out of the sum.
            Tensor divergence = teacher[i].exp() * (teacher[i] - student[i]) * pairs;
            total = total + divergence.sum() / (queries * student[i].shape[1]);
        }
        return (total / student.Count).MoveToOuterDisposeScope();
    }
}
