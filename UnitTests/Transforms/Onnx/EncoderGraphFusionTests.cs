using Microsoft.ML;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using static MLNetExt.UnitTests.Transforms.EncoderTestModels;

namespace MLNetExt.UnitTests.Transforms.Onnx;

/// <summary>EncodeText runs a recognised BERT graph fused by default; anything else runs as it is.</summary>
[TestClass]
public sealed class EncoderGraphFusionTests
{
    private static (TextEncoderTransformer Transformer, List<string> Log) Fit(MLContext ml, IDataView data, EncoderModel model, bool fuseGraph = true)
    {
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        TextEncoderTransformer transformer = ml.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            InputColumnName = "Text", OutputColumnName = "Embedding", Model = model, FuseGraph = fuseGraph,
        }).Fit(data);
        return (transformer, log);
    }

    [TestMethod]
    public void EncodeTextRunsTheFusedGraphByDefaultWithTheOriginalEmbeddingsThroughSaveAndLoad()
    {
        Assert.IsTrue(new TextEncoderOptions().FuseGraph, "fusion is the default");
        EncoderModel model = EncoderModel.Load(MiniLM.Directory!); // a fresh instance: fused here, not by another test
        var ml = new MLContext(seed: 1);
        IDataView data = Texts(ml, OnnxBertGraphTests.StsbSentences(30));

        var (fused, log) = Fit(ml, data, model);
        TextEncoderTransformer fusedTransformer = fused;
        Assert.IsTrue(fusedTransformer.IsGraphFused);
        Assert.AreSame(model, fusedTransformer.Model, "the transformer keeps the model as given");
        Assert.AreEqual(1, log.Count(m => m.Contains("fused graph", StringComparison.Ordinal)), string.Join("\n", log));
        List<float[]> b = ReadVectors(fusedTransformer.Transform(data), "Embedding");

        TextEncoderTransformer original = Fit(ml, data, model, fuseGraph: false).Transformer;
        Assert.IsFalse(original.IsGraphFused);
        List<float[]> a = ReadVectors(original.Transform(data), "Embedding");
        original.Dispose();
        double minCosine = a.Zip(b, (x, y) => Cosine(x, y)).Min();
        Assert.IsGreaterThanOrEqualTo(0.9999, minCosine, $"fused vs original sentence embeddings: min cosine {minCosine}");
        Assert.IsTrue(a.Zip(b).Any(p => !p.First.SequenceEqual(p.Second)), "the two runs really used different graphs");

        using var folder = new TempFolder();
        string path = folder.Combine("pipeline.zip");
        ml.Model.SaveWithEncoders(fusedTransformer, data.Schema, path);
        ITransformer loaded = ml.Model.LoadWithEncoders(path, out _);
        try
        {
            List<float[]> c = ReadVectors(loaded.Transform(data), "Embedding");
            for (int i = 0; i < b.Count; i++)
                CollectionAssert.AreEqual(b[i], c[i], $"row {i} after save and load");
            var reloaded = (TextEncoderTransformer)((IEnumerable<ITransformer>)loaded).Single();
            Assert.IsTrue(reloaded.IsGraphFused, "the file stores the original graph and fuses it again on load");
            Assert.AreEqual(model.ReadOnnxBytes().Length, reloaded.Model.ReadOnnxBytes().Length, "the stored graph is the original");
        }
        finally
        {
            loaded.DisposeEncoders();
            fusedTransformer.Dispose();
        }
    }

    [TestMethod]
    public void FuseGraphOffIsSavedWithThePipeline()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = Texts(ml, "a cat sat on the mat", "a dog ran home");
        TextEncoderTransformer original = Fit(ml, data, MiniLM, fuseGraph: false).Transformer;
        using var folder = new TempFolder();
        string path = folder.Combine("pipeline.zip");
        ml.Model.SaveWithEncoders(original, data.Schema, path);
        ITransformer loaded = ml.Model.LoadWithEncoders(path, out _);
        try
        {
            var reloaded = (TextEncoderTransformer)((IEnumerable<ITransformer>)loaded).Single();
            Assert.IsFalse(reloaded.IsGraphFused);
            List<float[]> before = ReadVectors(original.Transform(data), "Embedding"), after = ReadVectors(loaded.Transform(data), "Embedding");
            for (int i = 0; i < before.Count; i++)
                CollectionAssert.AreEqual(before[i], after[i], $"row {i}");
        }
        finally
        {
            loaded.DisposeEncoders();
            original.Dispose();
        }
    }

    [TestMethod]
    public void AGraphThatIsNotRecognisedRunsAsItIsAndTheLogSaysWhy()
    {
        // A BERT graph whose parameters carry a "bert." prefix (as in a task model's export) is not recognised.
        BertConfig config = TinyBertFolders.Config;
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(OnnxBertWriter.ToBytes(TinyBertFolders.RandomWeights(config, seed: 2)));
        foreach (global::Onnx.TensorProto t in graph.Graph.Initializer.Where(t => t.Name.StartsWith("e", StringComparison.Ordinal)))
        {
            string renamed = "bert." + t.Name;
            foreach (global::Onnx.NodeProto node in graph.Graph.Node)
                for (int i = 0; i < node.Input.Count; i++)
                    if (node.Input[i] == t.Name)
                        node.Input[i] = renamed;
            t.Name = renamed;
        }
        using var folder = new TempFolder();
        EncoderModel prefixed = TinyBertFolders.Write(folder.Combine("prefixed"), config, Google.Protobuf.MessageExtensions.ToByteArray(graph));
        EncoderModel roberta = TinyBertFolders.Write(folder.Combine("roberta"), config,
            OnnxBertWriter.ToBytes(TinyBertFolders.RandomWeights(config, seed: 2)), modelType: "roberta");

        // A graph with a task head: re-emitting the encoder alone would lose its logits.
        var head = new OnnxLinearHead(EncoderPooling.Mean, new float[2 * config.HiddenSize], [1f, -1f]);
        EncoderModel withHead = TinyBertFolders.Write(folder.Combine("head"), config,
            OnnxBertWriter.ToBytes(TinyBertFolders.RandomWeights(config, seed: 2), head));

        var ml = new MLContext(seed: 1);
        IDataView data = Texts(ml, "the cat sat on the mat", "a dog");
        foreach ((EncoderModel model, string reason) in new[] { (prefixed, "embeddings.word_embeddings.weight"), (roberta, "roberta"), (withHead, "logits") })
        {
            var (transformer, log) = Fit(ml, data, model);
            Assert.IsFalse(transformer.IsGraphFused, model.Directory);
            string[] said = log.Where(m => m.Contains("as it is", StringComparison.Ordinal)).ToArray();
            Assert.HasCount(1, said, string.Join("\n", log));
            StringAssert.Contains(said[0], reason);
            Assert.HasCount(2, ReadVectors(transformer.Transform(data), "Embedding"), "the graph still runs");
            transformer.Dispose();
        }
    }

    [TestMethod]
    public void FuseRefusesAGraphThatIsNoBertEncoderNamingItAndKeepsAFusedOne()
    {
        EncoderModel notAnEncoder = MiniLM.WithGraph(TinyOnnxGraphs.Identity(), "identity");
        var error = Assert.Throws<InvalidDataException>(() => EncoderGraphFusion.Fuse(notAnEncoder));
        StringAssert.Contains(error.Message, "(identity)");
        StringAssert.Contains(error.Message, "BERT-family");
        Assert.Throws<ArgumentNullException>(() => EncoderGraphFusion.Fuse(null!));

        EncoderModel fused = EncoderGraphFusion.Fuse(MiniLM);
        StringAssert.Contains(fused.OnnxPath, "fused");
        Assert.AreEqual(MiniLM.Config, fused.Config);
        Assert.AreSame(fused, EncoderGraphFusion.Fuse(fused), "a fused graph is kept as it is");
    }
}
