using Microsoft.ML;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Transforms;
using Onnx;
using TorchSharp;
using static MLNetExt.UnitTests.Trainers.EncoderDistillationTests;
using static MLNetExt.UnitTests.Transforms.EncoderTestModels;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>
/// Attention-head pruning on a tiny 3-layer, 4-head encoder: masking a head equals removing it, removed heads are gone
/// from the exported graph and the graph agrees with TorchSharp, importance ranks globally with a head left per layer,
/// and the trainer prunes and recovers towards the unpruned model.
/// </summary>
[TestClass]
public sealed class HeadPruningTests
{
    // Tolerance between TorchSharp and ONNX Runtime on the same fp32 weights (fused kernels sum in another order).
    private const double GraphTolerance = 1e-4;

    private static readonly BertConfig Config = new()
    {
        VocabSize = 30522, HiddenSize = 16, HeadsPerLayer = [4, 4, 4], HeadSize = 4, IntermediateSize = 32, MaxPositionEmbeddings = 64,
    };

    private static readonly IReadOnlyList<IReadOnlyList<int>> Keep = [[0, 2], [3], [0, 1, 2, 3]];

    private static BertWeights RandomWeights(int seed)
    {
        torch.manual_seed(seed);
        using var model = new BertModel(Config);
        return model.ToWeights();
    }

    [TestMethod]
    public void MaskingAHeadEqualsRemovingItAndTheExportedGraphHasOnlyTheKeptHeads()
    {
        BertWeights weights = RandomWeights(3);
        BertWeights pruned = weights.KeepHeads(Keep);
        CollectionAssert.AreEqual(new[] { 2, 1, 4 }, pruned.Config.HeadsPerLayer.ToArray());
        TokenizedBatch batch = TrainerTestData.Encode(["a cat sat on the mat", "two dogs ran across the park in the rain"], maxTokens: 32);

        using BertModel full = weights.CreateModel();
        Tensor[] masks = Keep.Select((k, layer) => tensor(Enumerable.Range(0, 4).Select(h => k.Contains(h) ? 1f : 0f).ToArray())).ToArray();
        for (int i = 0; i < masks.Length; i++)
            full.Layers[i].Attention.SelfAttention.HeadMask = masks[i];
        float[] masked = OnnxImportParityTests.Forward(full, batch);
        using BertModel narrow = pruned.CreateModel();
        float[] removed = OnnxImportParityTests.Forward(narrow, batch);
        double maskVsRemove = TrainerTestData.MaxAbsDiffOnRealTokens(masked, removed, batch, Config.HiddenSize);
        Assert.IsLessThanOrEqualTo(1e-5, maskVsRemove, $"masked vs removed heads: max diff {maskVsRemove:E2}");
        full.Layers[0].Attention.SelfAttention.HeadMask = null;
        double unmasked = TrainerTestData.MaxAbsDiffOnRealTokens(OnnxImportParityTests.Forward(full, batch), removed, batch, Config.HiddenSize);
        Assert.IsGreaterThan(1e-3, unmasked, "the heads removed from layer 0 did contribute");

        foreach (OnnxGraphStyle style in new[] { OnnxGraphStyle.Portable, OnnxGraphStyle.OnnxRuntimeFused })
        {
            byte[] graph = OnnxBertWriter.ToBytes(pruned, style: style);
            ModelProto proto = ModelProto.Parser.ParseFrom(graph);
            if (style == OnnxGraphStyle.Portable)
            {
                long[] Dims(string name) => proto.Graph.Initializer.Single(t => t.Name == name).Dims.ToArray();
                CollectionAssert.AreEqual(new long[] { 16, 8 }, Dims("encoder.layer.0.attention.self.query.weight"), "layer 0: 2 heads x 4 columns");
                CollectionAssert.AreEqual(new long[] { 16, 4 }, Dims("encoder.layer.1.attention.self.value.weight"), "layer 1: 1 head");
                CollectionAssert.AreEqual(new long[] { 4, 16 }, Dims("encoder.layer.1.attention.output.dense.weight"));
                CollectionAssert.AreEqual(new long[] { 16, 16 }, Dims("encoder.layer.2.attention.self.key.weight"), "layer 2 untouched");
            }
            else
            {
                long[] heads = proto.Graph.Node.Where(n => n.OpType == "Attention").Select(n => n.Attribute.Single(a => a.Name == "num_heads").I).ToArray();
                CollectionAssert.AreEqual(new long[] { 2, 1, 4 }, heads);
                CollectionAssert.AreEqual(new long[] { 16, 3 * 8 }, proto.Graph.Initializer.Single(t => t.Name == "encoder.layer.0.attention.self.qkv.weight").Dims.ToArray());
            }
            using var runner = new GraphRunner(graph);
            double diff = TrainerTestData.MaxAbsDiffOnRealTokens(runner.Run(batch).Values, removed, batch, Config.HiddenSize);
            Assert.IsLessThanOrEqualTo(GraphTolerance, diff, $"{style} pruned graph vs TorchSharp: max diff {diff:E2}");
            CollectionAssert.AreEqual(new[] { 2, 1, 4 }, OnnxBertReader.Read(new MemoryStream(graph)).Config.HeadsPerLayer.ToArray(), $"{style} reads back");
        }
        foreach (Tensor mask in masks)
            mask.Dispose();
    }

    [TestMethod]
    public void KeepHeadsRefusesAnEmptyLayerAndBadIndicesNamingThem()
    {
        BertWeights weights = RandomWeights(3);
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => weights.KeepHeads([[0], [], [1]])).Message, "Layer 1 keeps no heads");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => weights.KeepHeads([[0], [4], [1]])).Message, "got head 4");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => weights.KeepHeads([[0, 0], [1], [1]])).Message, "repeats");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => weights.KeepHeads([[0], [1]])).Message, "3 layers");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => new BertModel(Config).Layers[0].Attention.SelfAttention.HeadMask = ones(3)).Message, "[4]");
    }

    [TestMethod]
    public void HeadsAreRankedGloballyKeepingOnePerLayerAndBadFractionsAreNamed()
    {
        float[][] scores = [[0.9f, 0.1f, 0.5f], [0.05f, 0.02f], [0.8f, 0.7f, 0.6f]];
        IReadOnlyList<IReadOnlyList<int>> keep = HeadImportance.SelectHeadsToKeep(scores, 0.5);
        // 8 heads, remove 4: 1:1 (0.02), then 1:0 is the last of layer 1 and stays, 0:1 (0.1), 0:2 (0.5), 2:2 (0.6).
        CollectionAssert.AreEqual(new[] { 0 }, keep[0].ToArray());
        CollectionAssert.AreEqual(new[] { 0 }, keep[1].ToArray());
        CollectionAssert.AreEqual(new[] { 0, 1 }, keep[2].ToArray());

        foreach (double bad in new[] { 0.0, 1.0, -0.2, 1.5, double.NaN })
            StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => HeadImportance.SelectHeadsToKeep(scores, bad)).Message, $"got {bad}");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => HeadImportance.SelectHeadsToKeep(scores, 0.7)).Message, "leave a layer without heads");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => HeadImportance.SelectHeadsToKeep(scores, 0.01)).Message, "removes no head");
        var ml = new MLContext(seed: 1);
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.PruneEncoderHeads(new EncoderHeadPruningOptions { PruneFraction = 1 })).Message,
            "PruneFraction");
    }

    // The tiny encoder (seed 5) as a model folder under the given temporary folder.
    private static EncoderModel TinyEncoder(TempFolder folder)
    {
        string tiny = folder.Combine("tiny");
        Directory.CreateDirectory(tiny);
        OnnxBertWriter.Save(RandomWeights(5), Path.Combine(tiny, "model.onnx"));
        File.WriteAllBytes(Path.Combine(tiny, "vocab.txt"), TrainerTestData.MiniLmVocabulary);
        File.WriteAllText(Path.Combine(tiny, "config.json"), Config.ToJson());
        return EncoderModel.Load(tiny);
    }

    [TestMethod]
    public void PruningScoresHeadsRemovesTheLeastImportantAndRecoveryPullsTowardsTheOriginal()
    {
        using var folder = new TempFolder();
        EncoderModel original = TinyEncoder(folder);
        var ml = new MLContext(seed: 1);
        IDataView data = Texts(ml, TrainerTestData.StsbSentences(64));
        var options = new EncoderHeadPruningOptions
        {
            Model = original, PruneFraction = 0.5, ImportanceBatches = 4, ImportanceBatchSize = 16, MaxTokens = 32, Recover = false,
            Training = new TrainingOptions { BatchSize = 16, Epochs = 3, LearningRate = 3e-3, WarmupFraction = 0 },
        };
        EncoderHeadPruningResult unrecovered = ml.Transforms.Text.PruneEncoderHeads(options).Train(data);
        Assert.AreEqual(12, unrecovered.HeadsBefore);
        Assert.AreEqual(6, unrecovered.HeadsAfter);
        Assert.IsTrue(unrecovered.KeptHeads.All(k => k.Count >= 1));
        Assert.IsTrue(unrecovered.Importance.SelectMany(l => l).All(s => s >= 0 && float.IsFinite(s)));
        Assert.IsTrue(unrecovered.Importance.SelectMany(l => l).Any(s => s > 0), "the loss depends on the heads");
        // The kept heads are the most important of the global ranking (ties aside): every removed head scores at most every kept head of its own layer.
        for (int layer = 0; layer < 3; layer++)
        {
            IReadOnlyList<float> s = unrecovered.Importance[layer];
            float keptMin = unrecovered.KeptHeads[layer].Min(h => s[h]);
            Assert.IsTrue(Enumerable.Range(0, 4).Except(unrecovered.KeptHeads[layer]).All(h => s[h] <= keptMin), $"layer {layer}");
        }
        Assert.IsNull(unrecovered.Recovery);
        CollectionAssert.AreEqual(unrecovered.KeptHeads.Select(k => k.Count).ToArray(),
            OnnxBertReader.Read(new MemoryStream(unrecovered.Pruned.ReadOnnxBytes())).Config.HeadsPerLayer.ToArray());

        options.Recover = true;
        EncoderHeadPruningResult recovered = ml.Transforms.Text.PruneEncoderHeads(options).Train(data);
        CollectionAssert.AreEqual(unrecovered.KeptHeads.SelectMany(k => k).ToArray(), recovered.KeptHeads.SelectMany(k => k).ToArray(), "importance is deterministic");
        Assert.AreEqual(12, recovered.Recovery!.Steps);
        List<float[]> target = Encode(ml, data, original);
        double before = MeanSquaredError(target, Encode(ml, data, unrecovered.Pruned));
        double after = MeanSquaredError(target, Encode(ml, data, recovered.Pruned));
        Assert.IsLessThan(before * 0.8, after, $"MSE to the original before recovery {before:G4}, after {after:G4}");
        EncoderModel int8 = EncoderQuantizer.Quantize(recovered.Pruned).Model;
        Assert.AreEqual(3, ModelProto.Parser.ParseFrom(int8.ReadOnnxBytes()).Graph.Node.Count(n => n.OpType == "QAttention"), "the pruned attention quantises");
        double cosine = Encode(ml, data, int8).Zip(Encode(ml, data, recovered.Pruned), (a, b) => Cosine(a, b)).Min();
        Assert.IsGreaterThan(0.95, cosine, $"int8 vs fp32 pruned encoder, lowest cosine {cosine:F4}");
    }

    [TestMethod]
    public void ShrpPrunesASentenceEncoderByDistillationRemovingTheLeastRoutedHeadsAndKeepingItsExpanders()
    {
        using var folder = new TempFolder();
        EncoderModel original = TinyEncoder(folder);
        var ml = new MLContext(seed: 1);
        IDataView data = Texts(ml, TrainerTestData.StsbSentences(64));
        var options = new EncoderHeadPruningOptions
        {
            Model = original, Method = HeadPruningMethod.Shrp, Shrp = { ExpanderSize = 8 }, PruneFraction = 0.5, MaxTokens = 32, Recover = false,
            Training = new TrainingOptions { BatchSize = 16, Epochs = 1, LearningRate = 3e-3, WarmupFraction = 0, Seed = 3 },
        };
        EncoderHeadPruningResult first = ml.Transforms.Text.PruneEncoderHeads(options).Train(data);
        EncoderHeadPruningResult second = ml.Transforms.Text.PruneEncoderHeads(options).Train(data);
        Assert.AreEqual(HeadPruningMethod.Shrp, first.Method);
        Assert.AreEqual(4, first.Routing!.Steps, "64 texts in batches of 16, one routing epoch");
        Assert.AreEqual(6, first.HeadsAfter);
        CollectionAssert.AreEqual(first.RemovedHeads.ToArray(), second.RemovedHeads.ToArray(), "same seed, same heads");
        foreach (IReadOnlyList<float> layer in first.Importance)
            Assert.AreEqual(1.0, layer.Sum(), 1e-4, "Top-1 usage shares of a layer add up to 1");
        StringAssert.StartsWith(first.ToString(), "Shrp: 6 of 12 heads kept");

        // The served graph holds only the kept heads and the expanders, and agrees with TorchSharp.
        BertWeights served = OnnxBertReader.Read(new MemoryStream(first.Pruned.ReadOnnxBytes()));
        CollectionAssert.AreEqual(first.KeptHeads.Select(k => k.Count).ToArray(), served.Config.HeadsPerLayer.ToArray());
        Assert.AreEqual(8, served.Config.ExpanderSize);
        TokenizedBatch batch = TrainerTestData.Encode(["a cat sat on the mat", "two dogs ran across the park in the rain"], maxTokens: 32);
        using BertModel torchSharp = served.CreateModel();
        using var runner = new GraphRunner(first.Pruned.ReadOnnxBytes());
        double diff = TrainerTestData.MaxAbsDiffOnRealTokens(OnnxImportParityTests.Forward(torchSharp, batch), runner.Run(batch).Values, batch, Config.HiddenSize);
        Assert.IsLessThanOrEqualTo(GraphTolerance, diff, $"served SHRP graph vs TorchSharp: max diff {diff:E2}");

        options.Recover = true;
        EncoderHeadPruningResult recovered = ml.Transforms.Text.PruneEncoderHeads(options).Train(data);
        CollectionAssert.AreEqual(first.RemovedHeads.ToArray(), recovered.RemovedHeads.ToArray());
        List<float[]> target = Encode(ml, data, original);
        double before = MeanSquaredError(target, Encode(ml, data, first.Pruned));
        double after = MeanSquaredError(target, Encode(ml, data, recovered.Pruned));
        Assert.IsLessThan(before, after, $"MSE to the original after routing {before:G4}, after recovery {after:G4}");

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Text.PruneEncoderHeads(new EncoderHeadPruningOptions
        {
            Model = original, Method = HeadPruningMethod.Shrp, Shrp = { RoutingEpochs = 0 },
        })).Message, "got 0");
    }
}
