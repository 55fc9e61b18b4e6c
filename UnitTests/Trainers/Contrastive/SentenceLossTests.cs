using MLNetExt.Trainers.Losses;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Trainers.Contrastive;

/// <summary>Each loss against a value computed by hand on a tiny batch.</summary>
[TestClass]
public sealed class SentenceLossTests
{
    private static Tensor T(float[,] values) => tensor(values);

    private static double Value(SentenceEmbeddingLoss loss, Tensor? targets, params Tensor[] embeddings) =>
        loss.Forward(embeddings, targets).item<float>();

    private static readonly double InvSqrt2 = 1 / Math.Sqrt(2);

    [TestMethod]
    public void MultipleNegativesRanking_MatchesHandComputedCrossEntropy()
    {
        // cos(a0,p0) = 1, cos(a0,p1) = 1/sqrt2, cos(a1,p0) = 0, cos(a1,p1) = 1/sqrt2; scale 20.
        Tensor a = T(new float[,] { { 1, 0 }, { 0, 1 } }), p = T(new float[,] { { 2, 0 }, { 1, 1 } });
        double row0 = Math.Log(1 + Math.Exp(20 * (InvSqrt2 - 1)));
        double row1 = Math.Log(1 + Math.Exp(-20 * InvSqrt2));
        Assert.AreEqual((row0 + row1) / 2, Value(new MultipleNegativesRankingLoss(), null, a, p), 1e-5);

        // A hard-negative column adds candidates: a0 = (1,0) scores n0 = (0,1) at 0 and n1 = (1,0) at 1;
        // a1 = (0,1) scores n0 at 1 and n1 at 0.
        Tensor n = T(new float[,] { { 0, 1 }, { 1, 0 } });
        double h0 = -20 + Math.Log(Math.Exp(20) + Math.Exp(20 * InvSqrt2) + 1 + Math.Exp(20));
        double h1 = -20 * InvSqrt2 + Math.Log(1 + Math.Exp(20 * InvSqrt2) + Math.Exp(20) + 1);
        Assert.AreEqual((h0 + h1) / 2, Value(new MultipleNegativesRankingLoss(), null, a, p, n), 1e-4);

        // Symmetric: the positive-to-anchor direction: p0 vs (a0: 1, a1: 0); p1 vs (a0: 1/sqrt2, a1: 1/sqrt2).
        double back = (Math.Log(1 + Math.Exp(-20)) + Math.Log(2)) / 2;
        Assert.AreEqual(((row0 + row1) / 2 + back) / 2, Value(new MultipleNegativesRankingLoss(symmetric: true), null, a, p), 1e-5);
    }

    [TestMethod]
    public void CoSent_PenalisesPairsRankedAgainstTheirScores()
    {
        // cos(pair 0) = 1, cos(pair 1) = 0.
        Tensor a = T(new float[,] { { 1, 0 }, { 1, 0 } }), b = T(new float[,] { { 3, 0 }, { 0, 2 } });
        Assert.AreEqual(Math.Log(1 + Math.Exp(-20)), Value(new CoSentLoss(), tensor(new float[] { 4f, 1f }), a, b), 1e-6);
        Assert.AreEqual(Math.Log(1 + Math.Exp(20)), Value(new CoSentLoss(), tensor(new float[] { 1f, 4f }), a, b), 1e-4);
        Assert.AreEqual(Math.Log(1 + Math.Exp(10)), Value(new CoSentLoss(scale: 10), tensor(new float[] { 1f, 4f }), a, b), 1e-4);
        // Equal scores: no ordered pair, loss log(1) = 0.
        Assert.AreEqual(0, Value(new CoSentLoss(), tensor(new float[] { 2f, 2f }), a, b), 1e-6);
    }

    [TestMethod]
    public void CosineSimilarity_IsMeanSquaredErrorOnCosine()
    {
        Tensor a = T(new float[,] { { 1, 0 }, { 1, 0 } }), b = T(new float[,] { { 3, 0 }, { 1, 1 } });
        double expected = (Math.Pow(1 - 0.5, 2) + Math.Pow(InvSqrt2 - 0.25, 2)) / 2;
        Assert.AreEqual(expected, Value(new CosineSimilarityLoss(), tensor(new float[] { 0.5f, 0.25f }), a, b), 1e-6);
    }

    [TestMethod]
    public void MirrorBert_IsInfoNceOverBothViews()
    {
        // Orthogonal rows, identical views: each view sees its mirror at cos 1 and two other views at cos 0.
        Tensor v = T(new float[,] { { 1, 0 }, { 0, 1 } });
        double t = 0.5;
        Assert.AreEqual(Math.Log(1 + 2 * Math.Exp(-1 / t)), Value(new MirrorBertLoss(temperature: t), null, v, v), 1e-5);
        Assert.AreEqual(Math.Log(1 + 2 * Math.Exp(-1 / 0.04)), Value(new MirrorBertLoss(), null, v, v), 1e-6);
        // SimCSE: one direction, temperature 0.05, the other rows' second views as negatives: log(1 + e^(-20)).
        Assert.AreEqual(Math.Log(1 + Math.Exp(-20)), Value(new SimCseLoss(), null, v, v), 1e-6);
    }

    [TestMethod]
    public void MirrorBert_MasksOneSpanOfTheText()
    {
        manual_seed(1);
        var row = new MLNetExt.Transforms.TokenizedText([101, 11, 12, 13, 14, 15, 16, 17, 102], 9, false);
        var masked = MirrorBertLoss.MaskSpan(row, 103, 5);
        Assert.AreEqual(5, masked.Ids.Count(id => id == 103));
        Assert.AreEqual(101, masked.Ids[0]);
        Assert.AreEqual(102, masked.Ids[^1]);
        var maskedIndexes = Enumerable.Range(0, 9).Where(i => masked.Ids[i] == 103).ToArray();
        Assert.AreEqual(4, maskedIndexes[^1] - maskedIndexes[0], "the masked tokens form one contiguous span");
        Assert.AreEqual(3, MirrorBertLoss.MaskSpan(new([101, 11, 12, 13, 102], 5, false), 103, 5).Ids.Count(id => id == 103), "a short text is masked whole");
    }

    [TestMethod]
    public void Matryoshka_SumsTheInnerLossOverPrefixes()
    {
        Tensor a = T(new float[,] { { 1, 0, 1 }, { 0, 1, 1 } }), p = T(new float[,] { { 1, 1, 0 }, { 0, 1, 0 } });
        var inner = new MultipleNegativesRankingLoss();
        double full = Value(inner, null, a, p);
        double one = Value(inner, null, a.narrow(1, 0, 1), p.narrow(1, 0, 1));
        Assert.AreEqual(full + 0.5 * one, Value(new MatryoshkaLoss(inner, [3, 1], [1.0, 0.5]), null, a, p), 1e-5);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MatryoshkaLoss(inner, [4]).Forward([a, p], null));
    }

    [TestMethod]
    public void Distillation_IsMeanSquaredErrorToTheTeacher()
    {
        Tensor student = T(new float[,] { { 1, 2 }, { 3, 4 } }), teacher = T(new float[,] { { 1, 0 }, { 3, 5 } });
        Assert.AreEqual((0 + 4 + 0 + 1) / 4.0, Value(new EmbeddingDistillationLoss(), teacher, student), 1e-6);
        Assert.ThrowsExactly<ArgumentException>(() => new EmbeddingDistillationLoss().Forward([student], T(new float[,] { { 1, 2, 3 }, { 1, 2, 3 } })));
    }

    [TestMethod]
    public void InBatchLosses_RefuseABatchOfOne()
    {
        Tensor one = T(new float[,] { { 1, 0 } });
        var error = Assert.ThrowsExactly<ArgumentException>(() => new MultipleNegativesRankingLoss().Forward([one, one], null));
        StringAssert.Contains(error.Message, "at least 2 rows per batch, got 1");
        Assert.ThrowsExactly<ArgumentException>(() => new MirrorBertLoss().Forward([one, one], null));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MultipleNegativesRankingLoss(scale: 0));
    }
}
