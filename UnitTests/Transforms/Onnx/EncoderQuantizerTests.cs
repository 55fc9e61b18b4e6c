using Microsoft.ML;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.UnitTests.Infrastructure;
using Onnx;
using static MLNetExt.UnitTests.Transforms.EncoderTestModels;

namespace MLNetExt.UnitTests.Transforms.Onnx;

/// <summary>int8 quantisation on the ONNX graph: integer operators, embeddings close to fp32, served by EncodeText as it is.</summary>
[TestClass]
public sealed class EncoderQuantizerTests
{
    private static readonly string[] FloatMatMulOps = ["MatMul", "Attention"];

    private static List<float[]> Encode(MLContext ml, IDataView data, EncoderModel model, bool fuseGraph = true)
    {
        TextEncoderTransformer transformer = ml.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            InputColumnName = "Text", OutputColumnName = "Embedding", Model = model, FuseGraph = fuseGraph,
        }).Fit(data);
        using IDisposable ends = Owned.Ends(transformer);
        return ReadVectors(transformer.Transform(data), "Embedding");
    }

    private static ModelProto Graph(EncoderModel model) => ModelProto.Parser.ParseFrom(model.ReadOnnxBytes());

    [TestMethod]
    public void MiniLMQuantisedRunsIntegerKernelsAndKeepsItsEmbeddingsThroughSaveAndLoad()
    {
        EncoderQuantizationResult result = EncoderQuantizer.Quantize(MiniLM);
        Assert.IsTrue(result.Fused);
        ModelProto graph = Graph(result.Model);
        Assert.AreEqual(6, graph.Graph.Node.Count(n => n.OpType == "QAttention" && n.Domain == "com.microsoft"), result.ToString());
        Assert.AreEqual(18, graph.Graph.Node.Count(n => n.OpType == "DynamicQuantizeMatMul"), result.ToString());
        Assert.AreEqual(0, graph.Graph.Node.Count(n => FloatMatMulOps.Contains(n.OpType) && graph.Graph.Initializer.Any(t => t.Name == n.Input[1])),
            "no fp32 operator with a constant weight is left");
        Assert.AreEqual(24, result.Quantized.Count);
        Assert.IsTrue(result.Quantized.All(q => q.PerChannel));
        Assert.IsEmpty(result.Skipped);
        Assert.IsLessThan(result.OriginalGraphBytes * 0.7, result.GraphBytes, result.ToString()); // the fp32 word-embedding table stays

        var ml = new MLContext(seed: 1);
        string[] sentences = OnnxBertGraphTests.StsbSentences(40);
        IDataView data = Texts(ml, sentences);
        List<float[]> fp32 = Encode(ml, data, MiniLM);
        List<float[]> int8 = Encode(ml, data, result.Model);
        double[] cosines = fp32.Zip(int8, (a, b) => Cosine(a, b)).ToArray();
        Assert.IsGreaterThanOrEqualTo(0.99, cosines.Min(), $"int8 vs fp32 sentence vectors: min cosine {cosines.Min():F4}, mean {cosines.Average():F4}");
        Assert.IsTrue(fp32.Zip(int8).Any(p => !p.First.SequenceEqual(p.Second)), "the int8 graph really ran");

        // EncodeText runs the int8 graph as it is (no second fusion), and the saved pipeline keeps it.
        TextEncoderTransformer transformer = ml.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            InputColumnName = "Text", OutputColumnName = "Embedding", Model = result.Model,
        }).Fit(data);
        using IDisposable ends = Owned.Ends(transformer);
        Assert.IsTrue(transformer.IsGraphFused);
        using var folder = new TempFolder();
        string path = folder.Combine("pipeline.zip");
        ml.Model.SaveWithEncoders(transformer, data.Schema, path);
        ITransformer loaded = ml.Model.LoadWithEncoders(path, out _);
        try
        {
            List<float[]> reloaded = ReadVectors(loaded.Transform(data), "Embedding");
            for (int i = 0; i < int8.Count; i++)
                CollectionAssert.AreEqual(int8[i], reloaded[i], $"row {i} after save and load");
        }
        finally
        {
            loaded.DisposeEncoders();
        }

        // As a Hugging Face-layout folder.
        result.Model.Save(folder.Combine("minilm-int8"));
        EncoderModel fromFolder = EncoderModel.Load(folder.Combine("minilm-int8"));
        Assert.AreEqual(MiniLM.Config.Pooling, fromFolder.Config.Pooling);
        Assert.AreEqual(MiniLM.Config.Normalize, fromFolder.Config.Normalize);
        List<float[]> again = Encode(ml, data, fromFolder);
        for (int i = 0; i < int8.Count; i++)
            CollectionAssert.AreEqual(int8[i], again[i], $"row {i} from the saved folder");
    }

    [TestMethod]
    public void TheUnfusedGraphQuantisesItsMatMulsWithFoldedBiases()
    {
        EncoderQuantizationResult result = EncoderQuantizer.Quantize(MiniLM, new EncoderQuantizationOptions { FuseGraph = false });
        Assert.IsFalse(result.Fused);
        ModelProto graph = Graph(result.Model);
        Assert.AreEqual(36, graph.Graph.Node.Count(n => n.OpType == "DynamicQuantizeMatMul"), result.ToString());
        Assert.AreEqual(0, graph.Graph.Node.Count(n => n.OpType == "QAttention"));
        Assert.IsTrue(result.Quantized.All(q => q.BiasFolded && q.PerChannel), "every projection's bias Add is folded");
        Assert.IsTrue(graph.Graph.Node.Where(n => n.OpType == "DynamicQuantizeMatMul").All(n => n.Input.Count == 5));

        var ml = new MLContext(seed: 1);
        IDataView data = Texts(ml, OnnxBertGraphTests.StsbSentences(20));
        List<float[]> fp32 = Encode(ml, data, MiniLM);
        List<float[]> int8 = Encode(ml, data, result.Model);
        double minCosine = fp32.Zip(int8, (a, b) => Cosine(a, b)).Min();
        Assert.IsGreaterThanOrEqualTo(0.99, minCosine, $"int8 of the original graph vs fp32: min cosine {minCosine:F4}");
    }

    [TestMethod]
    public void PerTensorScalesAreScalars()
    {
        EncoderQuantizationResult result = EncoderQuantizer.Quantize(MiniLM, new EncoderQuantizationOptions { PerChannel = false, ReduceRange = true });
        ModelProto graph = Graph(result.Model);
        Assert.IsTrue(result.ReduceRange && result.Quantized.All(q => !q.PerChannel));
        var scales = graph.Graph.Node.Where(n => n.OpType == "DynamicQuantizeMatMul").Select(n => graph.Graph.Initializer.Single(t => t.Name == n.Input[2])).ToArray();
        Assert.IsTrue(scales.All(t => t.Dims.Count == 0), "one scale per weight");
        sbyte[] codes = graph.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Int8 && t.Dims.Count == 2)
            .SelectMany(t => t.RawData.ToByteArray().Select(b => (sbyte)b)).ToArray();
        Assert.IsTrue(codes.All(c => c is >= -63 and <= 63), "7-bit codes");
    }

    [TestMethod]
    public void QuantisationRefusesWhatIsNoEncoderOrIsQuantisedAlreadyNamingIt()
    {
        EncoderModel notAnEncoder = MiniLM.WithGraph(TinyOnnxGraphs.Identity(), "identity");
        var error = Assert.Throws<InvalidDataException>(() => EncoderQuantizer.Quantize(notAnEncoder));
        StringAssert.Contains(error.Message, "(identity)");
        StringAssert.Contains(error.Message, "input_ids");

        EncoderModel garbage = MiniLM.WithGraph([1, 2, 3, 4, 5], "garbage");
        StringAssert.Contains(Assert.Throws<InvalidDataException>(() => EncoderQuantizer.Quantize(garbage)).Message, "not a valid ONNX model");

        EncoderModel int8 = EncoderQuantizer.Quantize(MiniLM).Model;
        StringAssert.Contains(Assert.Throws<InvalidDataException>(() => EncoderQuantizer.Quantize(int8)).Message, "quantised already");
        Assert.Throws<ArgumentNullException>(() => EncoderQuantizer.Quantize(null!));
    }

    [TestMethod]
    public void WeightCodesAreSymmetricPerColumnAndReducedRangeStaysWithinSevenBits()
    {
        float[] w = [1f, -0.5f, 0.25f, -2f, 0.5f, 0f]; // [3, 2]
        (sbyte[] codes, float[] scales) = OnnxInt8Quantizer.QuantizeColumns(w, 3, 2, perColumn: true, levels: 127);
        CollectionAssert.AreEqual(new[] { 1f / 127, 2f / 127 }, scales);
        CollectionAssert.AreEqual(new sbyte[] { 127, -32, 32, -127, 64, 0 }, codes);
        (codes, _) = OnnxInt8Quantizer.QuantizeColumns(w, 3, 2, perColumn: false, levels: 63);
        Assert.IsTrue(codes.All(c => c is >= -63 and <= 63));
        Assert.AreEqual(-63, codes[3]);
    }
}
