using MLNetExt.Trainers.FineTuning;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Losses;

/// <summary>
/// Distillation of a classifier's or regressor's outputs from a teacher (Hinton, Vinyals and Dean 2015, "Distilling the
/// Knowledge in a Neural Network"): for classes, the KL divergence from the teacher's class distribution to the
/// student's, both softened by a temperature T and scaled by T² so that the gradient size does not depend on T; for a
/// regressor, the squared error to the teacher's value.
/// </summary>
public static class LogitDistillationLoss
{
    /// <summary>The loss of <paramref name="student"/> logits [batch, outputs] against <paramref name="teacher"/>'s (same shape, no gradient needed).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The temperature is not positive.</exception>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Tensor Forward(Tensor student, Tensor teacher, FineTuningKind kind, double temperature = 1)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        if (!(temperature > 0))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, $"The distillation temperature must be positive; got {temperature}.");
        if (!student.shape.SequenceEqual(teacher.shape))
            throw new ArgumentException($"The teacher's logits have shape [{string.Join(", ", teacher.shape)}], the student's [{string.Join(", ", student.shape)}].", nameof(teacher));
        if (kind != FineTuningKind.Classification)
            return nn.functional.mse_loss(student, teacher);
        using var scope = NewDisposeScope();
        Tensor target = (teacher / temperature).log_softmax(-1);
        Tensor kl = (target.exp() * (target - (student / temperature).log_softmax(-1))).sum(-1).mean();
        return (kl * (temperature * temperature)).MoveToOuterDisposeScope();
    }
}
