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

    /// <summary>
    /// The loss of a student learning from both its labels and a teacher: <c>(1 - w)</c> task loss (cross-entropy, or
    /// squared error for a regressor) <c>+ w</c> <see cref="Forward"/>. At <c>w = 1</c> the targets are not read (they
    /// may be placeholders for unlabelled text); at <c>w = 0</c> the teacher is not.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The weight is outside [0, 1] or the temperature is not positive.</exception>
    internal static Tensor Blend(FineTuningKind kind, Tensor student, Tensor teacher, Tensor targets, double weight, double temperature)
    {
        if (!(weight >= 0 && weight <= 1))
            throw new ArgumentOutOfRangeException(nameof(weight), weight, $"The distillation weight must be in [0, 1]; got {weight}.");
        if (weight == 0)
            return FineTuningTask.TaskLoss(kind, student, targets);
        using var scope = NewDisposeScope();
        Tensor loss = weight * Forward(student, teacher, kind, temperature);
        if (weight < 1)
            loss = loss + (1 - weight) * FineTuningTask.TaskLoss(kind, student, targets);
        return loss.MoveToOuterDisposeScope();
    }
}
