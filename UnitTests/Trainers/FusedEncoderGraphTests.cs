using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Onnx;
using MLNetExt.Transforms;
using TorchSharp;

namespace MLNetExt.UnitTests.Trainers;

[TestClass]
public sealed class FusedEncoderGraphTests
{
    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    [TestMethod]
    public void FusedMiniLmGraphUsesOnnxRuntimeKernelsAndMatchesTheOriginal()
    {
        string[] sentences = TrainerTestData.StsbSentences(40);
        TokenizedBatch batch = TrainerTestData.Encode(sentences);
        using BertModel model = TrainerTestData.MiniLmWeights.CreateModel();
        byte[] fused = OnnxBertExporter.ToBytes(model, style: OnnxGraphStyle.OnnxRuntimeFused);

        var graph = Onnx.ModelProto.Parser.ParseFrom(fused).Graph;
        Assert.AreEqual(6, graph.Node.Count(n => n.OpType == "Attention" && n.Domain == "com.microsoft"), "one fused attention per layer");
        Assert.AreEqual(12, graph.Node.Count(n => n.OpType == "SkipLayerNormalization"), "two residual norms per layer");
        Assert.AreEqual(0, graph.Node.Count(n => n.OpType == "Softmax"), "no unfused attention left");

        using var original = new GraphRunner(TrainerTestData.MiniLmOnnx);
        using var ours = new GraphRunner(fused);
        double diff = TrainerTestData.MaxAbsDiffOnRealTokens(ours.Run(batch).Values, original.Run(batch).Values, batch, 384);
        Assert.IsLessThanOrEqualTo(1e-4, diff, $"fused vs original graph: max diff {diff:E2}");

        // The fused graph reads back into TorchSharp (packed query/key/value split again), so it can be trained further.
        using var stream = new MemoryStream(fused);
        using BertModel reimported = OnnxBertImporter.Read(stream, "fused.onnx").CreateModel();
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

        using var portable = new GraphRunner(OnnxBertExporter.ToBytes(model));
        using var fused = new GraphRunner(OnnxBertExporter.ToBytes(model, style: OnnxGraphStyle.OnnxRuntimeFused));
        double diff = TrainerTestData.MaxAbsDiffOnRealTokens(fused.Run(batch).Values, portable.Run(batch).Values, batch, 48);
        Assert.IsLessThanOrEqualTo(1e-4, diff, $"pruned fused vs portable export: max diff {diff:E2}");

        using var stream = new MemoryStream(OnnxBertExporter.ToBytes(model, style: OnnxGraphStyle.OnnxRuntimeFused));
        BertConfig reread = OnnxBertImporter.Read(stream).Config;
        CollectionAssert.AreEqual(new[] { 3, 1 }, reread.HeadsPerLayer.ToArray());
        Assert.AreEqual(8, reread.HeadSize);
    }

    [TestMethod]
    public void EncodeTextOnTheFusedModelGivesTheOriginalEmbeddingsAndSurvivesSaveAndLoad()
    {
        EncoderModel original = PretrainedEncoders.Load("all-MiniLM-L6-v2");
        EncoderModel fused = EncoderGraphFusion.Fuse(original);
        Assert.AreEqual(original.Config.Pooling, fused.Config.Pooling);
        StringAssert.Contains(fused.OnnxPath, "fused");
        Assert.IsNotNull(EncoderGraphFusion.Fuse(fused), "fusing a fused model re-reads its packed weights");

        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(TrainerTestData.StsbSentences(30).Select(s => new TextRow { Text = s }).ToArray());
        using var fusedTransformer = ml.Transforms.Text.EncodeText("Embedding", "Text", fused).Fit(data);
        float[][] b = fusedTransformer.Transform(data).GetColumn<float[]>("Embedding").ToArray();
        float[][] a;
        using (var originalTransformer = ml.Transforms.Text.EncodeText("Embedding", "Text", original).Fit(data))
            a = originalTransformer.Transform(data).GetColumn<float[]>("Embedding").ToArray();
        double minCosine = a.Zip(b, (x, y) => (double)System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(x, y)).Min();
        Assert.IsGreaterThanOrEqualTo(0.9999, minCosine, $"fused vs original sentence embeddings: min cosine {minCosine}");

        string path = Path.Combine(Path.GetTempPath(), $"mlnetext-fused-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.SaveWithEncoders(fusedTransformer, data.Schema, path);
            ITransformer loaded = ml.Model.LoadWithEncoders(path, out _);
            float[][] c = loaded.Transform(data).GetColumn<float[]>("Embedding").ToArray();
            for (int i = 0; i < b.Length; i++)
                CollectionAssert.AreEqual(b[i], c[i], $"row {i} after save and load");
            (loaded as IDisposable)?.Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void FusingAGraphThatIsNoBertEncoderNamesTheGraphAndLeavesTheModelUsable()
    {
        EncoderModel original = PretrainedEncoders.Load("all-MiniLM-L6-v2");
        EncoderModel notAnEncoder = original.WithGraph(MLNetExt.UnitTests.Transforms.TinyOnnxGraphs.Identity(), "identity");
        var error = Assert.Throws<InvalidDataException>(() => EncoderGraphFusion.Fuse(notAnEncoder));
        StringAssert.Contains(error.Message, "(identity)");
        StringAssert.Contains(error.Message, "BERT-family");
        Assert.Throws<ArgumentNullException>(() => EncoderGraphFusion.Fuse(null!));
        Assert.Throws<ArgumentNullException>(() => original.WithGraph(null!, "x"));
        Assert.IsNotEmpty(original.ReadOnnxBytes(), "the original model is untouched");
    }
}
