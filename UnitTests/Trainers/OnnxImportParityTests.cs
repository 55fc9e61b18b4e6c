using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Onnx;
using MLNetExt.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Trainers;

[TestClass]
public sealed class OnnxImportParityTests
{
    [TestMethod]
    public void ImportedMiniLmConfigurationMatchesTheModelCard()
    {
        BertConfig config = TrainerTestData.MiniLmWeights.Config;
        Assert.AreEqual(384, config.HiddenSize);
        Assert.AreEqual(6, config.LayerCount);
        CollectionAssert.AreEqual(Enumerable.Repeat(12, 6).ToArray(), config.HeadsPerLayer.ToArray());
        Assert.AreEqual(32, config.HeadSize);
        Assert.AreEqual(1536, config.IntermediateSize);
        Assert.AreEqual(30522, config.VocabSize);
        Assert.AreEqual(1e-12, config.LayerNormEps, 1e-15);
    }

    [TestMethod]
    public void TorchSharpForwardMatchesOnnxRuntimeOnStsbSentences()
    {
        string[] sentences = TrainerTestData.StsbSentences(20);
        TokenizedBatch batch = TrainerTestData.Encode(sentences);
        using BertModel model = TrainerTestData.MiniLmWeights.CreateModel();
        float[] ours = Forward(model, batch);

        using var session = new GraphRunner(TrainerTestData.MiniLmOnnx);
        (float[] reference, int[] shape) = session.Run(batch);
        CollectionAssert.AreEqual(new[] { batch.Rows, batch.Length, 384 }, shape);
        double diff = TrainerTestData.MaxAbsDiffOnRealTokens(ours, reference, batch, 384);
        Assert.IsLessThanOrEqualTo(1e-4, diff, $"max |torch - onnxruntime| = {diff:E2}");
    }

    [TestMethod]
    public void MalformedOnnxBytesFailWithTheSourceName()
    {
        using var stream = new MemoryStream([0x08, 0xFF, 0xFF, 0xFF]);
        var error = Assert.ThrowsExactly<FormatException>(() => OnnxBertImporter.Read(stream, "broken.onnx"));
        StringAssert.Contains(error.Message, "broken.onnx");
    }

    internal static float[] Forward(BertModel model, TokenizedBatch batch)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long[] dims = [batch.Rows, batch.Length];
        Tensor output = model.forward(tensor(batch.InputIds, dims), tensor(batch.AttentionMask, dims), tensor(batch.TokenTypeIds, dims));
        return output.data<float>().ToArray();
    }
}
