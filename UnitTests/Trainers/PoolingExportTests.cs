using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>Every <see cref="EncoderPooling"/> trains (TorchSharp) and exports (ONNX head) with the same arithmetic.</summary>
[TestClass]
public sealed class PoolingExportTests
{
    [TestMethod]
    public void EveryPoolingGivesTheSameLogitsInTorchAndInTheExportedGraph()
    {
        TokenizedBatch batch = TrainerTestData.Encode(["a short one", "a somewhat longer sentence than that"], ["paired", "with a second part"], maxTokens: 32);
        long[] dims = [batch.Rows, batch.Length];
        foreach (EncoderPooling pooling in Enum.GetValues<EncoderPooling>())
        {
            torch.manual_seed(3);
            using var model = new SequenceClassifier(new BertModel(TinyFineTuning.Config), 3, pooling);
            model.eval();
            float[] expected;
            using (no_grad())
            using (NewDisposeScope())
                expected = model.forward(tensor(batch.InputIds, dims), tensor(batch.AttentionMask, dims), tensor(batch.TokenTypeIds, dims)).data<float>().ToArray();

            using var runner = new GraphRunner(OnnxBertWriter.ToBytes(model.Encoder.ToWeights(), model.ExportHead()), logits: true);
            (float[] logits, int[] shape) = runner.Run(batch, "logits");
            CollectionAssert.AreEqual(new[] { 2, 3 }, shape, pooling.ToString());
            for (int i = 0; i < logits.Length; i++)
                Assert.AreEqual(expected[i], logits[i], 1e-4, $"{pooling} logit {i}");
        }
    }

    [TestMethod]
    public void AnUndefinedPoolingIsRefusedByName()
    {
        using var hidden = zeros(1, 2, 4);
        using var mask = ones(1, 2, ScalarType.Int64);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Pooling.Pool(hidden, mask, (EncoderPooling)9));
        StringAssert.Contains(error.Message, "9");
        StringAssert.Contains(error.Message, "MeanSqrtLen");
    }
}
