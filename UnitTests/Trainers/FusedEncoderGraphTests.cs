using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using TorchSharp;

namespace MLNetExt.UnitTests.Trainers;

[TestClass]
public sealed class FusedEncoderGraphTests
{
    [TestMethod]
    public void FusedGraphOfTorchSharpWeightsMatchesTheOriginalAndReimports()
    {
        string[] sentences = TrainerTestData.StsbSentences(40);
        TokenizedBatch batch = TrainerTestData.Encode(sentences);
        using BertModel model = TrainerTestData.MiniLmWeights.CreateModel();
        byte[] fused = OnnxBertWriter.ToBytes(model.ToWeights(), style: OnnxGraphStyle.OnnxRuntimeFused);

        using var original = new GraphRunner(TrainerTestData.MiniLmOnnx);
        using var ours = new GraphRunner(fused);
        double diff = TrainerTestData.MaxAbsDiffOnRealTokens(ours.Run(batch).Values, original.Run(batch).Values, batch, 384);
        Assert.IsLessThanOrEqualTo(1e-4, diff, $"fused vs original graph: max diff {diff:E2}");

        // The fused graph reads back into TorchSharp (packed query/key/value split again), so it can be trained further.
        using var stream = new MemoryStream(fused);
        using BertModel reimported = OnnxBertReader.Read(stream, "fused.onnx").CreateModel();
        double back = TrainerTestData.MaxAbsDiffOnRealTokens(OnnxImportParityTests.Forward(reimported, batch), original.Run(batch).Values, batch, 384);
        Assert.IsLessThanOrEqualTo(1e-4, back, $"re-imported fused graph vs original graph: max diff {back:E2}");
    }

    [TestMethod]
    public void FusedGraphOfAPrunedConfigurationMatchesThePortableOne()
    {
        torch.manual_seed(11);
        var config = new BertConfig { VocabSize = 30522, HiddenSize = 48, HeadsPerLayer = [3, 1], HeadSize = 8, IntermediateSize = 64, MaxPositionEmbeddings = 64 };
        using var model = new BertModel(config);
        TokenizedBatch batch = TrainerTestData.Encode(["a short one", "a somewhat longer sentence than that"], ["paired", "with a second part"], maxTokens: 32);

        using var portable = new GraphRunner(OnnxBertWriter.ToBytes(model.ToWeights()));
        using var fused = new GraphRunner(OnnxBertWriter.ToBytes(model.ToWeights(), style: OnnxGraphStyle.OnnxRuntimeFused));
        double diff = TrainerTestData.MaxAbsDiffOnRealTokens(fused.Run(batch).Values, portable.Run(batch).Values, batch, 48);
        Assert.IsLessThanOrEqualTo(1e-4, diff, $"pruned fused vs portable export: max diff {diff:E2}");

        using var stream = new MemoryStream(OnnxBertWriter.ToBytes(model.ToWeights(), style: OnnxGraphStyle.OnnxRuntimeFused));
        BertConfig reread = OnnxBertReader.Read(stream).Config;
        CollectionAssert.AreEqual(new[] { 3, 1 }, reread.HeadsPerLayer.ToArray());
        Assert.AreEqual(8, reread.HeadSize);
    }
}
