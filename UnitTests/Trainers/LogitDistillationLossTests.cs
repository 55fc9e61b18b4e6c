using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Losses;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>Distillation of a classifier's outputs: KL at a temperature (scaled by T²), squared error for a regressor.</summary>
[TestClass]
public sealed class LogitDistillationLossTests
{
    [TestMethod]
    public void KlIsZeroOnTheTeacherAndMatchesItsDefinitionElsewhere()
    {
        using var scope = NewDisposeScope();
        Tensor teacher = tensor(new float[] { 2f, -1f, 0.5f, 0f, 1f, 3f }, [2, 3]);
        Tensor student = tensor(new float[] { 0f, 0f, 0f, 1f, -1f, 2f }, [2, 3]);
        Assert.AreEqual(0, LogitDistillationLoss.Forward(teacher, teacher, FineTuningKind.Classification, 2).item<float>(), 1e-6);

        // By hand: T² mean over rows of sum_c p_c (log p_c - log q_c), p and q softmax at T.
        const double T = 2;
        float[] t = teacher.data<float>().ToArray(), s = student.data<float>().ToArray();
        double expected = 0;
        for (int row = 0; row < 2; row++)
        {
            double[] p = Softmax(t.Skip(3 * row).Take(3).Select(v => v / T).ToArray()), q = Softmax(s.Skip(3 * row).Take(3).Select(v => v / T).ToArray());
            expected += p.Zip(q, (a, b) => a * Math.Log(a / b)).Sum() / 2;
        }
        Assert.AreEqual(T * T * expected, LogitDistillationLoss.Forward(student, teacher, FineTuningKind.Classification, T).item<float>(), 1e-5);
        Assert.AreEqual(((student - teacher).pow(2)).mean().item<float>(), LogitDistillationLoss.Forward(student, teacher, FineTuningKind.Regression).item<float>(), 1e-6);
    }

    [TestMethod]
    public void BlendWeighsTheTaskLossAgainstDistillationAndSkipsWhatItDoesNotNeed()
    {
        using var scope = NewDisposeScope();
        Tensor teacher = tensor(new float[] { 2f, -1f, 0.5f, 0f }, [2, 2]);
        Tensor student = tensor(new float[] { 0f, 1f, -1f, 2f }, [2, 2]);
        Tensor labels = tensor(new long[] { 0, 1 });
        double task = nn.functional.cross_entropy(student, labels).item<float>();
        double kl = LogitDistillationLoss.Forward(student, teacher, FineTuningKind.Classification, 2).item<float>();
        Assert.AreEqual(0.7 * task + 0.3 * kl, LogitDistillationLoss.Blend(FineTuningKind.Classification, student, teacher, labels, 0.3, 2).item<float>(), 1e-5);
        Assert.AreEqual(task, LogitDistillationLoss.Blend(FineTuningKind.Classification, student, zeros(5, 5), labels, 0, 2).item<float>(), 1e-6, "w = 0: the teacher is not read");
        Assert.AreEqual(kl, LogitDistillationLoss.Blend(FineTuningKind.Classification, student, teacher, tensor(new long[] { -100, 99 }), 1, 2).item<float>(), 1e-6,
            "w = 1: the targets are not read");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LogitDistillationLoss.Blend(FineTuningKind.Classification, student, teacher, labels, 1.5, 2)).Message, "1.5");
    }

    [TestMethod]
    public void BadInputIsNamed()
    {
        using var scope = NewDisposeScope();
        Tensor a = zeros(2, 3), b = zeros(2, 2);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => LogitDistillationLoss.Forward(a, b, FineTuningKind.Classification)).Message, "[2, 2]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LogitDistillationLoss.Forward(a, a, FineTuningKind.Classification, 0)).Message, "got 0");
    }

    private static double[] Softmax(double[] z)
    {
        double max = z.Max();
        double[] e = z.Select(v => Math.Exp(v - max)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }
}
