using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Trainers.Contrastive;

[TestClass]
public sealed class CachedMultipleNegativesRankingLossTests
{
    private static (double Loss, float[] Gradients) Step(SentenceEmbeddingModel model, SentenceEmbeddingLoss loss, ContrastiveBatch batch)
    {
        model.zero_grad();
        using var scope = NewDisposeScope();
        double value = loss.LossAndGradients(model, batch).item<float>();
        float[] gradients = model.parameters().Where(p => p.grad is not null).SelectMany(p => p.grad!.contiguous().data<float>().ToArray()).ToArray();
        return (value, gradients);
    }

    private static double RelativeDifference(float[] a, float[] b)
    {
        Assert.AreEqual(a.Length, b.Length);
        double diff = 0, norm = 0;
        for (int i = 0; i < a.Length; i++)
        {
            diff += Math.Pow(a[i] - b[i], 2);
            norm += Math.Pow(a[i], 2);
        }
        return Math.Sqrt(diff / norm);
    }

    [TestMethod]
    public void GradCache_GivesPlainMnrlLossAndGradientsAtSmallerMiniBatches()
    {
        torch.manual_seed(5);
        using var model = new SentenceEmbeddingModel(new BertModel(TinyFineTuning.Config), EncoderPooling.Mean);
        model.eval(); // no dropout: both runs see the same network
        EncoderTokenizer tokenizer = TrainerTestData.Tokenizer(32);
        string[] sentences = TrainerTestData.StsbSentences(36);
        TokenizedText[] Rows(int skip) => sentences.Skip(skip).Take(12).Select(s => tokenizer.Tokenize(s)).ToArray();
        using var batch = new ContrastiveBatch([EncoderInputs.From(TokenizedBatch.Pad(Rows(0))), EncoderInputs.From(TokenizedBatch.Pad(Rows(12))),
            EncoderInputs.From(TokenizedBatch.Pad(Rows(24)))], null);

        (double plainLoss, float[] plain) = Step(model, new MultipleNegativesRankingLoss(), batch);
        (double cachedLoss, float[] cached) = Step(model, new CachedMultipleNegativesRankingLoss(miniBatchSize: 5), batch);
        (double oneLoss, float[] one) = Step(model, new CachedMultipleNegativesRankingLoss(miniBatchSize: 1), batch);

        Assert.IsTrue(plain.Any(g => g != 0), "the plain loss produced gradients");
        Assert.AreEqual(plainLoss, cachedLoss, 1e-5);
        Assert.AreEqual(plainLoss, oneLoss, 1e-5);
        double relative = RelativeDifference(plain, cached);
        Assert.IsTrue(relative <= 1e-4, $"relative gradient difference {relative:E2}");
        Assert.IsTrue(RelativeDifference(plain, one) <= 1e-4, $"mini-batch 1: relative gradient difference {RelativeDifference(plain, one):E2}");
    }

    [TestMethod]
    public void GradCache_ReplaysTheDropoutOfItsFirstPass()
    {
        // With dropout on, the loss reported (first pass, no gradients) and a second call from the same seed agree:
        // the re-embedding pass is seeded like the first, so the gradients belong to the loss that was reported.
        torch.manual_seed(9);
        using var model = new SentenceEmbeddingModel(new BertModel(TinyFineTuning.Config), EncoderPooling.Mean);
        model.train();
        EncoderTokenizer tokenizer = TrainerTestData.Tokenizer(32);
        string[] sentences = TrainerTestData.StsbSentences(16);
        using var batch = new ContrastiveBatch([EncoderInputs.From(TokenizedBatch.Pad(sentences.Take(8).Select(s => tokenizer.Tokenize(s)).ToArray())),
            EncoderInputs.From(TokenizedBatch.Pad(sentences.Skip(8).Select(s => tokenizer.Tokenize(s)).ToArray()))], null);
        var loss = new CachedMultipleNegativesRankingLoss(miniBatchSize: 3);
        torch.manual_seed(123);
        (double first, float[] a) = Step(model, loss, batch);
        torch.manual_seed(123);
        (double second, float[] b) = Step(model, loss, batch);
        Assert.AreEqual(first, second, 1e-6);
        Assert.IsTrue(RelativeDifference(a, b) <= 1e-6);
        torch.manual_seed(124);
        (double other, _) = Step(model, loss, batch);
        Assert.AreNotEqual(first, other, "another seed draws other dropout masks");
    }
}
