using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Trainers;

[TestClass]
public sealed class OnnxImportParityTests
{
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
