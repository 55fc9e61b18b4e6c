using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.UnitTests.Infrastructure;
using static MLNetExt.UnitTests.Transforms.EncoderTestModels;

namespace MLNetExt.UnitTests.Transforms.Onnx;

/// <summary>Reading BERT weights out of ONNX graphs and writing them back (portable and fused), without TorchSharp.</summary>
[TestClass]
public sealed class OnnxBertGraphTests
{
    private static BertWeights ReadMiniLm() => OnnxBertReader.Read(new MemoryStream(MiniLM.ReadOnnxBytes()), "all-MiniLM-L6-v2");

    /// <summary>The first sentences of STS-B dev (real text of varied length).</summary>
    internal static string[] StsbSentences(int count) =>
        File.ReadLines(SharedData.RequireFile("stsb", "dev.tsv")).Skip(1).Take(count).Select(l => l.Split('\t')[7]).ToArray();

    /// <summary>The last hidden state of each row (tokens x hidden), run on the model's graph as it is.</summary>
    internal static List<float[]> LastHiddenStates(EncoderModel model, string[] texts, bool fuseGraph = false)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = Texts(ml, texts);
        TextEncoderTransformer transformer = ml.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            InputColumnName = "Text", OutputColumnName = "Embedding", TokenEmbeddingsColumnName = "Tokens", Model = model, FuseGraph = fuseGraph,
        }).Fit(data);
        List<float[]> states = ReadVectors(transformer.Transform(data), "Tokens");
        transformer.Dispose();
        return states;
    }

    internal static double MaxAbsDiff(List<float[]> a, List<float[]> b)
    {
        Assert.HasCount(a.Count, b);
        double worst = 0;
        for (int r = 0; r < a.Count; r++)
        {
            Assert.HasCount(a[r].Length, b[r], $"row {r}: token count x hidden");
            for (int i = 0; i < a[r].Length; i++)
                worst = Math.Max(worst, Math.Abs(a[r][i] - b[r][i]));
        }
        return worst;
    }

    [TestMethod]
    public void ReaderInfersMiniLmConfigurationAndFindsEveryWeight()
    {
        BertWeights weights = ReadMiniLm();
        BertConfig config = weights.Config;
        Assert.AreEqual(384, config.HiddenSize);
        CollectionAssert.AreEqual(Enumerable.Repeat(12, 6).ToArray(), config.HeadsPerLayer.ToArray());
        Assert.AreEqual(32, config.HeadSize);
        Assert.AreEqual(1536, config.IntermediateSize);
        Assert.AreEqual(30522, config.VocabSize);
        Assert.AreEqual(1e-12, config.LayerNormEps, 1e-15);
        foreach ((string name, long[] shape) in BertWeights.ParameterShapes(config))
            CollectionAssert.AreEqual(shape, weights.Weights[name].Shape, name);
        // The unnamed MatMul weight of layer 0's query, transposed back to PyTorch's [out, in].
        Assert.AreEqual(384 * 384, weights.Weights["encoder.layer.0.attention.self.query.weight"].Data.Length);
    }

    [TestMethod]
    public void PortableAndFusedRewritesGiveTheOriginalLastHiddenState()
    {
        string[] sentences = StsbSentences(24);
        BertWeights weights = ReadMiniLm();
        byte[] portable = OnnxBertWriter.ToBytes(weights);
        byte[] fused = OnnxBertWriter.ToBytes(weights, style: OnnxGraphStyle.OnnxRuntimeFused);

        global::Onnx.GraphProto graph = global::Onnx.ModelProto.Parser.ParseFrom(fused).Graph;
        Assert.AreEqual(6, graph.Node.Count(n => n.OpType == "Attention" && n.Domain == "com.microsoft"), "one fused attention per layer");
        Assert.AreEqual(12, graph.Node.Count(n => n.OpType == "SkipLayerNormalization"), "two residual norms per layer");
        Assert.AreEqual(0, graph.Node.Count(n => n.OpType == "Softmax"), "no unfused attention left");

        List<float[]> original = LastHiddenStates(MiniLM, sentences);
        double portableDiff = MaxAbsDiff(LastHiddenStates(MiniLM.WithGraph(portable, "portable"), sentences), original);
        double fusedDiff = MaxAbsDiff(LastHiddenStates(MiniLM.WithGraph(fused, "fused"), sentences), original);
        Assert.IsLessThanOrEqualTo(1e-4, portableDiff, $"portable rewrite vs original graph: max diff {portableDiff:E2}");
        Assert.IsLessThanOrEqualTo(1e-4, fusedDiff, $"fused rewrite vs original graph: max diff {fusedDiff:E2}");
    }

    [TestMethod]
    public void WrittenGraphsReadBackToTheSameWeights()
    {
        BertWeights weights = TinyBertFolders.RandomWeights(TinyBertFolders.Config, seed: 3);
        foreach (OnnxGraphStyle style in Enum.GetValues<OnnxGraphStyle>())
        {
            BertWeights reread = OnnxBertReader.Read(new MemoryStream(OnnxBertWriter.ToBytes(weights, style: style)), $"{style}.onnx");
            CollectionAssert.AreEqual(new[] { 3, 1 }, reread.Config.HeadsPerLayer.ToArray(), style.ToString());
            Assert.AreEqual(8, reread.Config.HeadSize, style.ToString());
            Assert.AreEqual(weights.Config.LayerNormEps, reread.Config.LayerNormEps, 1e-15, style.ToString());
            foreach ((string name, _) in BertWeights.ParameterShapes(weights.Config))
                CollectionAssert.AreEqual(weights.Weights[name].Data, reread.Weights[name].Data, $"{style}: {name}");
        }
    }

    [TestMethod]
    [DataRow(EncoderPooling.Mean)]
    [DataRow(EncoderPooling.Cls)]
    [DataRow(EncoderPooling.Max)]
    [DataRow(EncoderPooling.MeanSqrtLen)]
    public void LinearHeadPoolsTheLastHiddenStateAsEncodeTextDoes(EncoderPooling pooling)
    {
        BertConfig config = TinyBertFolders.Config;
        BertWeights weights = TinyBertFolders.RandomWeights(config, seed: 5);
        var random = new Random(9);
        float[] headWeight = Enumerable.Range(0, 2 * config.HiddenSize).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var head = new OnnxLinearHead(pooling, headWeight, [0.25f, -0.75f]);
        byte[] onnx = OnnxBertWriter.ToBytes(weights, head, OnnxGraphStyle.OnnxRuntimeFused);

        // Two rows, the second padded after 3 real tokens: padding must not reach the pooled vector.
        long[] ids = [2, 6, 7, 8, 9, 3, 2, 11, 3, 0, 0, 0], mask = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0];
        int[] lengths = [6, 3];
        using var session = new InferenceSession(onnx);
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [2, 6]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [2, 6]);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(new long[12], [2, 6]);
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(runOptions,
            ["input_ids", "attention_mask", "token_type_ids"], [idsValue, maskValue, typesValue], ["last_hidden_state", "logits"]);
        float[] hidden = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        float[] logits = outputs[1].GetTensorDataAsSpan<float>().ToArray();
        CollectionAssert.AreEqual(new long[] { 2, 2 }, outputs[1].GetTensorTypeAndShape().Shape);

        int h = config.HiddenSize;
        for (int row = 0; row < 2; row++)
        {
            var pooled = new float[h];
            SentencePooling.Pool(hidden.AsSpan(row * 6 * h, lengths[row] * h), lengths[row], h, pooling, normalize: false, pooled);
            for (int label = 0; label < 2; label++)
            {
                float expected = head.Bias[label];
                for (int i = 0; i < h; i++)
                    expected += headWeight[label * h + i] * pooled[i];
                Assert.AreEqual(expected, logits[row * 2 + label], 1e-4, $"{pooling}: row {row}, label {label}");
            }
        }
    }

    [TestMethod]
    public void WriterRefusesMissingOrMisshapenWeightsNamingTheParameter()
    {
        BertWeights complete = TinyBertFolders.RandomWeights(TinyBertFolders.Config, seed: 1);
        var missing = new BertWeights(complete.Config, complete.Weights.Where(w => w.Key != "encoder.layer.1.output.dense.bias").ToDictionary());
        var error = Assert.Throws<ArgumentException>(() => OnnxBertWriter.ToBytes(missing));
        StringAssert.Contains(error.Message, "encoder.layer.1.output.dense.bias");

        var reshaped = complete.Weights.ToDictionary();
        reshaped["embeddings.LayerNorm.bias"] = (new float[5], [5]);
        error = Assert.Throws<ArgumentException>(() => OnnxBertWriter.ToBytes(new BertWeights(complete.Config, reshaped)));
        StringAssert.Contains(error.Message, "embeddings.LayerNorm.bias");
        StringAssert.Contains(error.Message, "expected [24]");

        var badHead = new OnnxLinearHead(EncoderPooling.Mean, new float[7], [0f, 0f]);
        Assert.Throws<ArgumentException>(() => OnnxBertWriter.ToBytes(complete, badHead));
    }

    [TestMethod]
    public void ReaderRefusesMalformedBytesAndGraphsThatAreNoBertNamingTheSource()
    {
        var error = Assert.ThrowsExactly<FormatException>(() => OnnxBertReader.Read(new MemoryStream([0x08, 0xFF, 0xFF, 0xFF]), "broken.onnx"));
        StringAssert.Contains(error.Message, "broken.onnx");
        error = Assert.ThrowsExactly<FormatException>(() => OnnxBertReader.Read(new MemoryStream(TinyOnnxGraphs.Identity()), "identity.onnx"));
        StringAssert.Contains(error.Message, "identity.onnx");
        StringAssert.Contains(error.Message, "embeddings.word_embeddings.weight");
    }
}
