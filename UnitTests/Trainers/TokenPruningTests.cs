using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = TorchSharp.torch.Tensor;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms.TokenPruning;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Transforms;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>Latency-adjustable token pruning: the schedule, its cost estimate, the TorchSharp forward and the ONNX graph agree.</summary>
[TestClass]
public sealed class TokenPruningTests
{
    private static readonly BertConfig Tiny = new()
    {
        VocabSize = 30522, HiddenSize = 16, HeadsPerLayer = [2, 2, 2], HeadSize = 8, IntermediateSize = 32, MaxPositionEmbeddings = 64,
    };

    private static readonly string[] Sentences =
    [
        "a gorgeous , witty , seductive movie .",
        "bad",
        "the film is strictly routine , but it has a few laughs and one terrific performance by a supporting actor .",
        "it 's a charming and often affecting journey .",
    ];

    [TestMethod]
    [DataRow("1,0.5", "2 fractions")]
    [DataRow("1,0.5,0", "layer 2")]
    [DataRow("1,1.5,0.5", "1.5")]
    [DataRow("1,NaN,0.5", "NaN")]
    [DataRow("0.9,0.8,0.7", "layer 0")]
    [DataRow("1,0.5,0.7", "0.7")]
    [DataRow("1,x,0.5", "'x'")]
    [DataRow("0", "got 0")]
    public void BadSchedulesAreRefusedNamingTheValue(string text, string named)
    {
        var error = Assert.Throws<ArgumentException>(() => TokenKeepSchedule.Parse(text, 3), text);
        StringAssert.Contains(error.Message, named);
    }

    [TestMethod]
    public void OneRateKeepsItsPowerPerLayer()
    {
        TokenKeepSchedule schedule = TokenKeepSchedule.Parse("0.5", 3);
        CollectionAssert.AreEqual(new[] { 1f, 0.5f, 0.25f }, schedule.Fractions.ToArray());
        Assert.AreEqual("1,0.5,0.25", schedule.ToString());
        Assert.AreEqual(schedule, TokenKeepSchedule.Parse(schedule.ToString(), 3));
        Assert.AreEqual(5, schedule.KeptTokens(1, 10));
        Assert.AreEqual(1, schedule.KeptTokens(2, 2)); // at least [CLS]
        Assert.IsTrue(TokenKeepSchedule.Parse("1", 3).KeepsEverything);
    }

    [TestMethod]
    public void EstimateCountsFewerTokensAndFlops()
    {
        var config = new BertConfig();
        TokenPruningEstimate none = TokenPruningEstimate.Estimate(config, TokenKeepSchedule.Full(6), [20, 40]);
        Assert.AreEqual(1.0, none.Speedup, 1e-12);
        TokenPruningEstimate half = TokenPruningEstimate.Estimate(config, TokenKeepSchedule.Parse("1,0.5,0.5,0.5,0.5,0.5", 6), [20, 40]);
        CollectionAssert.AreEqual(new[] { 30.0, 15, 15, 15, 15, 15 }, half.TokensPerLayer.ToArray());
        // Five of six layers at half the tokens: a bit under 12/7 because of the ranking passes, a bit over from the quadratic term.
        Assert.IsTrue(half.Speedup > 1.6 && half.Speedup < 1.8, half.ToString());
        Assert.ThrowsExactly<ArgumentException>(() => TokenPruningEstimate.Estimate(config, TokenKeepSchedule.Full(3), [20]));
    }

    [TestMethod]
    public void KeepingEveryTokenEqualsTheUnprunedModel()
    {
        using var model = TinyClassifier(seed: 3);
        TokenizedBatch batch = TrainerTestData.Encode(Sentences, maxTokens: 32);
        using var scope = NewDisposeScope();
        (Tensor ids, Tensor mask, Tensor types) = Tensors(batch);
        float[] plain = model.forward(ids, mask, types).data<float>().ToArray();
        float[] pruned = model.ForwardPruned(ids, mask, types, TokenKeepSchedule.Full(3)).data<float>().ToArray();
        Assert.IsLessThanOrEqualTo(1e-5, MaxDiff(plain, pruned), "keep 1 vs unpruned");
    }

    [TestMethod]
    public void TheScheduleCutsTheTokensEachLayerSees()
    {
        using var model = TinyClassifier(seed: 4);
        TokenizedBatch batch = TrainerTestData.Encode(Sentences, maxTokens: 32);
        TokenKeepSchedule schedule = TokenKeepSchedule.Parse("1,0.6,0.3", 3);
        using var scope = NewDisposeScope();
        (Tensor ids, Tensor mask, Tensor types) = Tensors(batch);
        (Tensor hidden, Tensor kept, _) = TokenPruning.Encode(model.Encoder, ids, mask, types, schedule);
        int[] lengths = batch.Texts.Select(t => t.Length).ToArray();
        int[] expected = lengths.Select(n => schedule.KeptTokens(2, n)).ToArray();
        Assert.AreEqual(expected.Max(), (int)hidden.shape[1], "the last layer sees the widest row's kept tokens only");
        Assert.IsLessThan(batch.Length, (int)hidden.shape[1]);
        CollectionAssert.AreEqual(expected, kept.sum(1).data<float>().ToArray().Select(v => (int)v).ToArray());

        // The ONNX graph keeps as many: its last_hidden_state is that narrow.
        (_, int[] shape) = RunGraph(OnnxBertWriter.ToTokenPrunedBytes(model.Encoder.ToWeights(), schedule, model.ExportHead()), batch, "last_hidden_state");
        Assert.AreEqual(expected.Max(), shape[1]);
    }

    [TestMethod]
    public void DroppedTokensKeepTheStateTheyHadWhenDropped()
    {
        using var model = TinyClassifier(seed: 9);
        TokenizedBatch batch = TrainerTestData.Encode([Sentences[2]], maxTokens: 32);
        TokenKeepSchedule schedule = TokenKeepSchedule.Parse("1,1,0.5", 3); // prunes once, after layer 1
        using var scope = NewDisposeScope();
        (Tensor ids, Tensor mask, Tensor types) = Tensors(batch);
        (Tensor hidden, Tensor kept, Tensor dropped) = TokenPruning.Encode(model.Encoder, ids, mask, types, schedule);

        // Reference from the definition: layer 1's output, tokens ranked by the attention they received (column sums
        // over heads and queries), [CLS] forced in; the dropped ones are the rest.
        int n = batch.Length, keep = schedule.KeptTokens(2, n);
        Tensor noMask = zeros(1, 1, 1, n);
        (Tensor h1, _) = model.Encoder.Layers[0].ForwardWithProbabilities(model.Encoder.Embeddings.forward(ids, types), noMask);
        (Tensor h2, Tensor probabilities) = model.Encoder.Layers[1].ForwardWithProbabilities(h1, noMask);
        float[] received = probabilities.sum([1, 2]).data<float>().ToArray();
        received[0] = float.MaxValue;
        HashSet<int> keptSet = Enumerable.Range(0, n).OrderByDescending(i => received[i]).Take(keep).ToHashSet();
        float[] states = h2.data<float>().ToArray();
        var expected = new float[Tiny.HiddenSize];
        for (int t = 0; t < n; t++)
            if (!keptSet.Contains(t))
                for (int d = 0; d < expected.Length; d++)
                    expected[d] += states[t * expected.Length + d];
        Assert.AreEqual(keep, (int)hidden.shape[1]);
        Assert.IsLessThan(n, keep);
        Assert.IsLessThanOrEqualTo(1e-4, MaxDiff(expected, dropped.data<float>().ToArray()), "sum of the dropped tokens' layer-1 states");

        // Mean pooling divides the kept tokens' last states plus the dropped ones by every real token.
        float[] pooled = TokenPruning.Pool(hidden, kept, dropped, mask, EncoderPooling.Mean).data<float>().ToArray();
        float[] reference = ((hidden.sum(1) + dropped) / n).data<float>().ToArray();
        Assert.IsLessThanOrEqualTo(1e-5, MaxDiff(reference, pooled));
        float[] keptOnly = MLNetExt.Trainers.Modules.Pooling.Pool(hidden, kept, EncoderPooling.Mean).data<float>().ToArray();
        Assert.IsGreaterThan(1e-3, MaxDiff(keptOnly, pooled), "not the mean of the kept tokens alone");
    }

    [TestMethod]
    [DataRow(1.5, 2.0, "DistillationWeight", "1.5")]
    [DataRow(-0.1, 2.0, "DistillationWeight", "-0.1")]
    [DataRow(0.5, 0.0, "Temperature", "got 0")]
    [DataRow(0.5, double.NaN, "Temperature", "NaN")]
    public void BadDistillationSettingsAreRefusedNamingTheValue(double weight, double temperature, string option, string value)
    {
        using var model = TinyClassifier(seed: 10);
        var ml = new MLContext(seed: 1);
        EncoderFineTuningTransformer plain = Served(ml, model);
        using var endPlain = Owned.Ends(plain);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.PruneTokens(plain,
            new TokenPruningOptions { DistillationWeight = weight, Temperature = temperature }));
        StringAssert.Contains(error.Message, option);
        StringAssert.Contains(error.Message, value);
    }

    [TestMethod]
    [DataRow(OnnxGraphStyle.OnnxRuntimeFused)]
    [DataRow(OnnxGraphStyle.Portable)]
    public void OnnxGraphMatchesTorchSharp(OnnxGraphStyle style)
    {
        using var model = TinyClassifier(seed: 5);
        TokenizedBatch batch = TrainerTestData.Encode(Sentences, maxTokens: 32);
        foreach (string text in new[] { "1", "1,0.7,0.4", "0.5", "1,1,0.5", "1,0.5,0.5" })
        {
            TokenKeepSchedule schedule = TokenKeepSchedule.Parse(text, 3);
            using var scope = NewDisposeScope();
            (Tensor ids, Tensor mask, Tensor types) = Tensors(batch);
            float[] torchLogits = model.ForwardPruned(ids, mask, types, schedule).data<float>().ToArray();
            byte[] graph = OnnxBertWriter.ToTokenPrunedBytes(model.Encoder.ToWeights(), schedule, model.ExportHead(), style);
            float[] onnxLogits = RunGraph(graph, batch, "logits").Values;
            Assert.IsLessThanOrEqualTo(1e-4, MaxDiff(torchLogits, onnxLogits), $"schedule {text}, {style}");
            // Batched rows are pruned as they would be alone.
            float[] alone = RunGraph(graph, TrainerTestData.Encode([Sentences[2]], maxTokens: 32), "logits").Values;
            Assert.IsLessThanOrEqualTo(1e-4, MaxDiff(alone, onnxLogits[4..6]), $"row alone vs in a batch, schedule {text}");
        }
    }

    [TestMethod]
    [DataRow("1", 0, 3)]
    [DataRow("1,1,0.5", 1, 2)]
    [DataRow("1,0.5,0.5", 1, 2)]
    [DataRow("1,0.5,0.25", 2, 1)]
    public void OnlyTheLayersBeforeACutRankTokens(string text, int cuts, int fusedLayers)
    {
        using var model = TinyClassifier(seed: 11);
        TokenKeepSchedule schedule = TokenKeepSchedule.Parse(text, 3);
        Assert.HasCount(cuts, schedule.PruningLayers);
        byte[] bytes = OnnxBertWriter.ToTokenPrunedBytes(model.Encoder.ToWeights(), schedule, model.ExportHead());
        ModelProto graph = ModelProto.Parser.ParseFrom(bytes);
        int Count(string op) => graph.Graph.Node.Count(n => n.OpType == op);
        Assert.AreEqual(cuts, Count("TopK"), "one ranking per cut");
        Assert.AreEqual(cuts, Count("GatherND"), "one gather per cut");
        Assert.AreEqual(cuts, Count("Softmax"), "explicit attention only where tokens are ranked");
        Assert.AreEqual(fusedLayers, Count("Attention"), "every other layer runs ONNX Runtime's fused attention");
        Assert.AreEqual(schedule, OnnxTokenKeep.Read(bytes));
        if (cuts == 0)
        {
            // Keeping everything is the unpruned graph, node for node.
            ModelProto plain = ModelProto.Parser.ParseFrom(OnnxBertWriter.ToBytes(model.Encoder.ToWeights(), model.ExportHead(), OnnxGraphStyle.OnnxRuntimeFused));
            CollectionAssert.AreEqual(plain.Graph.Node.Select(n => n.OpType).ToArray(), graph.Graph.Node.Select(n => n.OpType).ToArray());
        }
    }

    [TestMethod]
    public void RewritingTheFractionsNeedsTheSameCuts()
    {
        using var model = TinyClassifier(seed: 12);
        BertWeights weights = model.Encoder.ToWeights();
        byte[] graph = OnnxBertWriter.ToTokenPrunedBytes(weights, TokenKeepSchedule.Parse("1,1,0.6", 3), model.ExportHead());
        TokenKeepSchedule lighter = TokenKeepSchedule.Parse("1,1,0.3", 3);
        Assert.IsTrue(OnnxTokenKeep.CanRewrite(graph, lighter));
        byte[] rewritten = OnnxTokenKeep.Rewrite(graph, lighter);
        Assert.AreEqual(lighter, OnnxTokenKeep.Read(rewritten));
        TokenizedBatch batch = TrainerTestData.Encode(Sentences, maxTokens: 32);
        float[] direct = RunGraph(OnnxBertWriter.ToTokenPrunedBytes(weights, lighter, model.ExportHead()), batch, "logits").Values;
        Assert.IsLessThanOrEqualTo(1e-6, MaxDiff(direct, RunGraph(rewritten, batch, "logits").Values), "rewritten fractions vs a graph built for them");

        TokenKeepSchedule elsewhere = TokenKeepSchedule.Parse("1,0.5,0.5", 3);
        Assert.IsFalse(OnnxTokenKeep.CanRewrite(graph, elsewhere));
        var error = Assert.ThrowsExactly<ArgumentException>(() => OnnxTokenKeep.Rewrite(graph, elsewhere));
        StringAssert.Contains(error.Message, "layers [0]");
        StringAssert.Contains(error.Message, "layers [1]");
    }

    [TestMethod]
    public void TheScheduleIsAnInferenceOptionThatSavesAndLoads()
    {
        using var model = TinyClassifier(seed: 6);
        var ml = new MLContext(seed: 1);
        EncoderFineTuningTransformer plain = Served(ml, model);
        using var endPlain = Owned.Ends(plain);
        Assert.IsNull(plain.TokenKeep);
        Assert.AreEqual(3, plain.LayerCount);

        EncoderFineTuningTransformer full = plain.WithTokenKeep("1");
        using var endFull = Owned.Ends(full);
        Assert.IsLessThanOrEqualTo(1e-5, MaxDiff(plain.Predict(Sentences).SelectMany(r => r).ToArray(), full.Predict(Sentences).SelectMany(r => r).ToArray()), "keep 1 graph vs unpruned graph");

        Assert.AreEqual("1,1,1", full.TokenKeep!.ToString());
        EncoderFineTuningTransformer fast = full.WithTokenKeep("1,0.5,0.2");
        using var endFast = Owned.Ends(fast);
        Assert.AreEqual("1,0.5,0.2", fast.TokenKeep!.ToString());
        // Another cut pattern: the graph is rebuilt from the same weights, as if written for that schedule.
        EncoderFineTuningTransformer later = fast.WithTokenKeep("1,1,0.5");
        using var endLater = Owned.Ends(later);
        EncoderFineTuningTransformer direct = plain.WithTokenKeep("1,1,0.5");
        using var endDirect = Owned.Ends(direct);
        Assert.IsLessThanOrEqualTo(1e-6, MaxDiff(direct.Predict(Sentences).SelectMany(r => r).ToArray(), later.Predict(Sentences).SelectMany(r => r).ToArray()));
        float[] fastScores = fast.Predict(Sentences).SelectMany(r => r).ToArray();
        Assert.IsGreaterThan(1e-5, MaxDiff(fastScores, full.Predict(Sentences).SelectMany(r => r).ToArray()), "pruning changes the scores of this random model");

        using var folder = new TempFolder();
        string file = Path.Combine(folder.Path, "pruned.zip");
        fast.Save(file);
        EncoderFineTuningTransformer loaded = EncoderFineTuningTransformer.Load(ml, file);
        using var endLoaded = Owned.Ends(loaded);
        Assert.AreEqual(fast.TokenKeep, loaded.TokenKeep);
        CollectionAssert.AreEqual(fastScores, loaded.Predict(Sentences).SelectMany(r => r).ToArray());

        var error = Assert.ThrowsExactly<ArgumentException>(() => loaded.WithTokenKeep("1,0.5"));
        StringAssert.Contains(error.Message, "3 layers");
    }

    [TestMethod]
    public void TheCurvesReferenceIsTheInputServedUnpruned()
    {
        using var model = TinyClassifier(seed: 13);
        var ml = new MLContext(seed: 1);
        EncoderFineTuningTransformer plain = Served(ml, model);
        using var endPlain = Owned.Ends(plain);
        var lines = new List<string>();
        Assert.AreSame(plain, TokenPruningCompression.Unpruned(plain, lines.Add), "an unpruned input is its own reference");
        Assert.IsEmpty(lines);

        // A model saved by PruneTokens serves its target schedule; the curve must compare with the same weights unpruned.
        EncoderFineTuningTransformer pruned = plain.WithTokenKeep("1,0.5,0.2");
        using var endPruned = Owned.Ends(pruned);
        EncoderFineTuningTransformer reference = TokenPruningCompression.Unpruned(pruned, lines.Add);
        using var endReference = Owned.Ends(reference);
        Assert.IsTrue(reference.TokenKeep!.KeepsEverything);
        float[] unprunedScores = plain.Predict(Sentences).SelectMany(r => r).ToArray();
        Assert.IsLessThanOrEqualTo(1e-5, MaxDiff(unprunedScores, reference.Predict(Sentences).SelectMany(r => r).ToArray()));
        Assert.IsGreaterThan(1e-5, MaxDiff(unprunedScores, pruned.Predict(Sentences).SelectMany(r => r).ToArray()), "the input itself prunes");
        StringAssert.Contains(lines.Single(), "1,0.5,0.2");
    }

    [TestMethod]
    public void FineTuningWithPruningServesTheTargetAndLearns()
    {
        using var model = TinyClassifier(seed: 7);
        var ml = new MLContext(seed: 1);
        EncoderFineTuningTransformer plain = Served(ml, model);
        using var endPlain = Owned.Ends(plain);
        var rows = File.ReadLines(Path.Combine(SharedData.Require("sst2"), "train.tsv")).Skip(1).Take(32)
            .Select(l => l.Split('\t')).Select(f => new LabelledRow { Sentence = f[0], Label = f[1] }).ToArray();
        IDataView data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));

        var trainer = ml.MulticlassClassification.Trainers.PruneTokens(plain, new TokenPruningOptions
        {
            TargetSchedule = "1,0.6,0.4",
            Training = new MLNetExt.Trainers.Training.TrainingOptions { BatchSize = 8, Epochs = 1, LearningRate = 1e-3, Seed = 3 },
        });
        EncoderFineTuningTransformer trained = trainer.Fit(data);
        using var endTrained = Owned.Ends(trained);
        Assert.AreEqual("1,0.6,0.4", trained.TokenKeep!.ToString());
        Assert.AreEqual(4, trained.TrainingResult!.Steps);
        EncoderFineTuningTransformer untrained = plain.WithTokenKeep(trained.TokenKeep);
        using var endUntrained = Owned.Ends(untrained);
        Assert.IsGreaterThan(1e-4, MaxDiff(trained.Predict(Sentences).SelectMany(r => r).ToArray(), untrained.Predict(Sentences).SelectMany(r => r).ToArray()),
            "the weights moved");
        DataViewSchema schema = trained.GetOutputSchema(data.Schema);
        Assert.IsNotNull(schema.GetColumnOrNull("Score"));
        Assert.IsNotNull(schema.GetColumnOrNull("PredictedLabel"));

        var error = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.PruneTokens(plain, "1,0.5"));
        StringAssert.Contains(error.Message, "3 layers");
    }

    [TestMethod]
    public void DrawnSchedulesLieBetweenNoPruningAndPastTheTarget()
    {
        using var model = TinyClassifier(seed: 8);
        TokenKeepSchedule target = TokenKeepSchedule.Parse("1,0.6,0.4", 3);
        var rows = new FineTuningRows([TrainerTestData.Tokenizer(16).Tokenize("a b")], [0f]);
        var task = new TokenPruningTask(model, FineTuningKind.Classification, rows, target, targetShare: 0.5, seed: 1);
        TokenKeepSchedule[] drawn = Enumerable.Range(0, 200).Select(_ => task.Draw()).ToArray();
        int onTarget = drawn.Count(d => d.Equals(target));
        Assert.IsTrue(onTarget is > 70 and < 130, $"{onTarget} of 200 on the target");
        Assert.IsTrue(drawn.Any(d => d.Fractions[2] > 0.7f) && drawn.Any(d => d.Fractions[2] < 0.35f), "draws span lighter and heavier pruning than the target");
        Assert.IsTrue(drawn.All(d => d.Fractions[0] == 1f && d.Fractions[2] >= 0.05f));
    }

    private sealed class LabelledRow
    {
        public string Sentence { get; set; } = "";
        public string Label { get; set; } = "";
    }

    private static EncoderFineTuningTransformer Served(MLContext ml, SequenceClassifier model)
    {
        var info = new FineTunedModelInfo { Kind = FineTuningKind.Classification, ClassCount = 2, ClassNames = ["0", "1"], MaxTokens = 32, HiddenSize = 16, EncoderName = "tiny" };
        byte[] graph = OnnxBertWriter.ToBytes(model.Encoder.ToWeights(), model.ExportHead(), OnnxGraphStyle.OnnxRuntimeFused);
        return new EncoderFineTuningTransformer(ml, info, graph, TrainerTestData.MiniLmVocabulary, null);
    }

    private static SequenceClassifier TinyClassifier(int seed)
    {
        torch.manual_seed(seed);
        var model = new SequenceClassifier(new BertModel(Tiny), 2, EncoderPooling.Mean);
        model.eval();
        return model;
    }

    // ONNX Runtime directly, outputs unallocated: a pruned graph's last_hidden_state is narrower than its input.
    private static (float[] Values, int[] Shape) RunGraph(byte[] onnx, TokenizedBatch batch, string output)
    {
        using var session = new InferenceSession(onnx);
        int[] dims = [batch.Rows, batch.Length];
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(batch.InputIds, dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(batch.AttentionMask, dims)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(batch.TokenTypeIds, dims)),
        ], [output]);
        var tensor = results.First().AsTensor<float>();
        return (tensor.ToArray(), tensor.Dimensions.ToArray());
    }

    private static (Tensor Ids, Tensor Mask, Tensor Types) Tensors(TokenizedBatch batch)
    {
        long[] dims = [batch.Rows, batch.Length];
        return (tensor(batch.InputIds, dims), tensor(batch.AttentionMask, dims), tensor(batch.TokenTypeIds, dims));
    }

    private static double MaxDiff(float[] a, float[] b)
    {
        Assert.HasCount(a.Length, b);
        return a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();
    }
}
