using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using TorchSharp;

namespace MLNetExt.UnitTests.Trainers;

[TestClass]
public sealed class OnnxExportRoundTripTests
{
    [TestMethod]
    public void ExportedMiniLmMatchesTheOriginalGraphAndReimports()
    {
        string[] sentences = TrainerTestData.StsbSentences(20);
        TokenizedBatch batch = TrainerTestData.Encode(sentences);
        using BertModel model = TrainerTestData.MiniLmWeights.CreateModel();
        byte[] exported = OnnxBertWriter.ToBytes(model.ToWeights());

        using var original = new GraphRunner(TrainerTestData.MiniLmOnnx);
        using var ours = new GraphRunner(exported);
        CollectionAssert.AreEquivalent(original.InputMetadata.Keys.ToArray(), ours.InputMetadata.Keys.ToArray());
        foreach (string input in original.InputMetadata.Keys)
            Assert.AreEqual(original.InputMetadata[input].ElementType, ours.InputMetadata[input].ElementType, input);
        CollectionAssert.Contains(ours.OutputNames.ToArray(), "last_hidden_state");

        float[] expected = original.Run(batch).Values;
        double diff = TrainerTestData.MaxAbsDiffOnRealTokens(ours.Run(batch).Values, expected, batch, 384);
        Assert.IsLessThanOrEqualTo(1e-4, diff, $"exported vs original graph: max diff {diff:E2}");

        using var stream = new MemoryStream(exported);
        BertWeights reread = OnnxBertReader.Read(stream, "exported.onnx");
        using BertModel reimported = reread.CreateModel();
        double back = TrainerTestData.MaxAbsDiffOnRealTokens(OnnxImportParityTests.Forward(reimported, batch), expected, batch, 384);
        Assert.IsLessThanOrEqualTo(1e-4, back, $"re-imported export vs original graph: max diff {back:E2}");
    }

    [TestMethod]
    public void PrunedConfigurationWithUnevenHeadsExportsAndRunsInOnnxRuntime()
    {
        torch.manual_seed(7);
        var config = new BertConfig { VocabSize = 30522, HiddenSize = 48, HeadsPerLayer = [3, 1], HeadSize = 8, IntermediateSize = 64, MaxPositionEmbeddings = 64 };
        using var model = new BertModel(config);
        TokenizedBatch batch = TrainerTestData.Encode(["a short one", "a somewhat longer sentence than that"], ["paired", "with a second part"], maxTokens: 32);
        byte[] exported = OnnxBertWriter.ToBytes(model.ToWeights(), new OnnxLinearHead(EncoderPooling.Mean, new float[2 * 48], [0.5f, -0.5f]));

        using var session = new GraphRunner(exported, logits: true);
        double diff = TrainerTestData.MaxAbsDiffOnRealTokens(session.Run(batch).Values, OnnxImportParityTests.Forward(model, batch), batch, 48);
        Assert.IsLessThanOrEqualTo(1e-4, diff, $"pruned export vs torch: max diff {diff:E2}");
        (float[] logits, int[] shape) = session.Run(batch, "logits");
        CollectionAssert.AreEqual(new[] { 2, 2 }, shape);
        CollectionAssert.AreEqual(new[] { 0.5f, -0.5f, 0.5f, -0.5f }, logits);

        using var stream = new MemoryStream(exported);
        BertConfig reread = OnnxBertReader.Read(stream).Config;
        CollectionAssert.AreEqual(new[] { 3, 1 }, reread.HeadsPerLayer.ToArray());
        Assert.AreEqual(8, reread.HeadSize);
    }
}
