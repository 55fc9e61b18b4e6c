using System.Text.Json;
using Microsoft.ML;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Transforms;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>
/// Head pruning of a fine-tuned classifier (a tiny 3-layer, 4-head encoder fine-tuned on 48 SST-2 rows): the pruned
/// heads are gone from the served graph, the graph agrees with TorchSharp, the task loss ranks the heads, the command
/// writes a loadable model.zip, a report and a plot, and bad input is named.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ClassifierHeadPruningTests
{
    private const double GraphTolerance = 1e-4;
    private static string _folder = null!;
    private static EncoderFineTuningTransformer _model = null!;
    private static MLContext _ml = null!;
    private static IDataView _train = null!;

    public sealed class ReviewRow
    {
        public string Sentence { get; set; } = "";
        public string Label { get; set; } = "";
    }

    internal static readonly string[] Sentences =
        ["a touching , funny film", "dull and lifeless", "an unforgettable , wonderfully acted film", "the plot goes nowhere"];

    [ClassInitialize]
    public static void TrainTinyClassifier(TestContext context)
    {
        _folder = Path.Combine(Path.GetTempPath(), "mlnetext-head-pruned-classifier-" + Guid.NewGuid().ToString("N"));
        string encoder = Path.Combine(_folder, "encoder");
        Directory.CreateDirectory(encoder);
        torch.manual_seed(7);
        using (var bert = new BertModel(new BertConfig
        {
            VocabSize = 30522, HiddenSize = 16, HeadsPerLayer = [4, 4, 4], HeadSize = 4, IntermediateSize = 32, MaxPositionEmbeddings = 64,
        }))
        {
            OnnxBertWriter.Save(bert.ToWeights(), Path.Combine(encoder, "model.onnx"));
            File.WriteAllText(Path.Combine(encoder, "config.json"), bert.Config.ToJson());
        }
        File.WriteAllBytes(Path.Combine(encoder, "vocab.txt"), TrainerTestData.MiniLmVocabulary);

        _ml = new MLContext(1);
        ReviewRow[] rows = File.ReadLines(SharedData.RequireFile("sst2", "train.tsv")).Skip(1).Take(48)
            .Select(l => l.Split('\t')).Select(f => new ReviewRow { Sentence = f[0], Label = f[1] }).ToArray();
        _train = _ml.Transforms.Conversion.MapValueToKey("Label").Fit(_ml.Data.LoadFromEnumerable(rows)).Transform(_ml.Data.LoadFromEnumerable(rows));
        _model = _ml.MulticlassClassification.Trainers.EncoderTextClassification(new EncoderFineTuningOptions
        {
            Encoder = EncoderModel.Load(encoder), SentenceColumnName = "Sentence", MaxTokens = 32,
            Training = new TrainingOptions { BatchSize = 8, Epochs = 1, LearningRate = 1e-3 },
        }).Fit(_train);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        _model.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static ClassifierHeadPruningOptions Options(double fraction = 0.5, bool recover = true) => new()
    {
        PruneFraction = fraction, ImportanceBatches = 4, ImportanceBatchSize = 8, Recover = recover,
        Training = new TrainingOptions { BatchSize = 8, Epochs = 1, LearningRate = 1e-3, Seed = 3 },
    };

    /// <summary>num_heads of each fused Attention node, in graph order.</summary>
    internal static int[] AttentionHeads(byte[] onnx) => ModelProto.Parser.ParseFrom(onnx).Graph.Node
        .Where(n => n.OpType == "Attention").Select(n => (int)n.Attribute.Single(a => a.Name == "num_heads").I).ToArray();

    /// <summary>The logits of <paramref name="model"/>'s graph read back into TorchSharp, as probabilities.</summary>
    internal static float[][] TorchSharpProbabilities(EncoderFineTuningTransformer model, IReadOnlyList<string> sentences)
    {
        (BertWeights weights, OnnxLinearHead head) = FineTunedClassifierGraph.Read(model, "test model");
        using SequenceClassifier classifier = FineTunedClassifierGraph.CreateClassifier(model, weights, head);
        classifier.eval();
        var rows = new FineTuningRows(sentences.Select(s => model.Serving.Tokenizer.Tokenize(s.AsSpan())).ToArray(), new float[sentences.Count]);
        var task = new FineTuningTask(classifier, FineTuningKind.Classification, rows);
        return task.Predict(rows.Rows).Select(l => { using var t = tensor(l); return t.softmax(0).data<float>().ToArray(); }).ToArray();
    }

    [TestMethod]
    public void PrunedHeadsAreGoneFromTheServedGraphWhichAgreesWithTorchSharp()
    {
        ClassifierHeadPruningTrainer trainer = _ml.MulticlassClassification.Trainers.PruneClassifierHeads(_model, Options());
        ClassifierHeadPruningResult result = trainer.Train(_train);
        EncoderFineTuningTransformer pruned = result.Pruned;
        using var end = new Ends(pruned.Dispose);
        Assert.AreEqual(12, result.HeadsBefore);
        Assert.AreEqual(6, result.HeadsAfter);
        Assert.AreEqual(6, result.RemovedHeads.Count);
        CollectionAssert.AreEqual(new[] { 4, 4, 4 }, AttentionHeads(_model.OnnxBytes));
        CollectionAssert.AreEqual(result.KeptHeads.Select(k => k.Count).ToArray(), AttentionHeads(pruned.OnnxBytes), "one fused Attention node per layer with only the kept heads");
        Assert.IsTrue(pruned.OnnxBytes.Length < _model.OnnxBytes.Length);
        Assert.IsNotNull(result.Recovery);
        Assert.AreEqual(6, result.Recovery.Steps, "48 rows in batches of 8, one epoch");

        float[][] served = pruned.Predict(Sentences);
        float[][] torch = TorchSharpProbabilities(pruned, Sentences);
        for (int i = 0; i < Sentences.Length; i++)
            for (int c = 0; c < 2; c++)
                Assert.AreEqual(torch[i][c], served[i][c], GraphTolerance, $"row {i} class {c}");
    }

    [TestMethod]
    public void TheTaskLossRanksTheHeadsAndTheLeastImportantGo()
    {
        ClassifierHeadPruningResult result = _ml.MulticlassClassification.Trainers.PruneClassifierHeads(_model, Options(0.25, recover: false)).Train(_train);
        EncoderFineTuningTransformer pruned = result.Pruned;
        using var end = new Ends(pruned.Dispose);
        Assert.IsNull(result.Recovery);
        Assert.AreEqual(9, result.HeadsAfter);
        float[] scores = result.Scores.SelectMany(l => l).ToArray();
        Assert.IsTrue(scores.All(s => float.IsFinite(s) && s >= 0), string.Join(", ", scores));
        Assert.IsTrue(scores.Distinct().Count() > 6, "the gradients tell the heads apart");
        float worstKept = result.KeptHeads.SelectMany((k, layer) => k.Select(h => result.Scores[layer][h])).Min();
        float bestRemoved = result.RemovedHeads.Select(r => r.Split(':').Select(int.Parse).ToArray()).Select(r => result.Scores[r[0]][r[1]]).Max();
        Assert.IsTrue(bestRemoved <= worstKept || result.KeptHeads.Any(k => k.Count == 1), $"removed {bestRemoved} vs kept {worstKept}");
        // Without recovery the pruned model is the original with the removed heads masked: still a working classifier.
        Assert.AreEqual(Sentences.Length, pruned.Predict(Sentences).Length);
    }

    [TestMethod]
    public void BadBudgetsAndModelsAreNamed()
    {
        foreach (double fraction in new[] { 0, 1, 1.5, -0.2, double.NaN })
        {
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.Trainers.PruneClassifierHeads(_model, Options(fraction)));
            StringAssert.Contains(e.Message, $"got {fraction}");
        }
        var everything = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.Trainers.PruneClassifierHeads(_model, Options(0.9)));
        StringAssert.Contains(everything.Message, "without heads");
        foreach (int keep in new[] { 2, 12 })
        {
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
                _ml.MulticlassClassification.Trainers.PruneClassifierHeads(_model, new ClassifierHeadPruningOptions { KeepHeads = keep }));
            StringAssert.Contains(e.Message, $"got {keep}");
        }
        var noLabel = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            _ml.MulticlassClassification.Trainers.PruneClassifierHeads(_model, new ClassifierHeadPruningOptions { LabelColumnName = "Stars" }).Fit(_train));
        StringAssert.Contains(noLabel.Message, "'Stars'");
    }

    [TestMethod]
    public void CompressCommandPrunesASavedClassifierAndWritesModelReportAndPlot()
    {
        using var temp = new TempFolder();
        string model = temp.Combine("model.zip");
        _model.Save(model);
        string data = temp.Combine("sst2");
        Directory.CreateDirectory(data);
        string[] lines = File.ReadLines(SharedData.RequireFile("sst2", "train.tsv")).Take(41).ToArray();
        File.WriteAllLines(Path.Combine(data, "train.tsv"), lines);
        File.WriteAllLines(Path.Combine(data, "dev.tsv"), File.ReadLines(SharedData.RequireFile("sst2", "dev.tsv")).Take(25));
        string output = temp.Combine("pruned"), json = temp.Combine("report.json");

        CliResult result = CliRunner.RunCaptured("compress", "--model", model, "--task", "sst2", "--data", data, "--prune-heads", "0.5",
            "--importance-batches", "2", "--batch-size", "8", "--learning-rate", "1e-3", "--speed-rounds", "1", "--out", output, "--json", json);
        Assert.AreEqual(0, result.Code, result.Output + result.Error);
        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = report.RootElement;
        Assert.AreEqual(40, root.GetProperty("train_rows").GetInt32());
        Assert.AreEqual(24, root.GetProperty("dev_rows").GetInt32());
        Assert.AreEqual(12, root.GetProperty("original").GetProperty("heads").GetInt32());
        JsonElement variant = root.GetProperty("variants")[0];
        Assert.AreEqual("importance", variant.GetProperty("variant").GetString());
        Assert.AreEqual(6, variant.GetProperty("heads").GetInt32());
        string saved = variant.GetProperty("model_path").GetString()!;
        EncoderFineTuningTransformer loaded = EncoderFineTuningTransformer.Load(new MLContext(), saved);
        using var end = new Ends(loaded.Dispose);
        Assert.AreEqual(6, AttentionHeads(loaded.OnnxBytes).Sum());
        Assert.IsTrue(File.Exists(Path.Combine(output, "speed_quality.png")));

        CliResult pairs = CliRunner.RunCaptured("compress", "--model", model, "--task", "mrpc", "--data", data, "--prune-heads", "0.5", "--out", temp.Combine("x"));
        Assert.AreEqual(2, pairs.Code, pairs.Output + pairs.Error);
        StringAssert.Contains(pairs.Error, "single sentences");

        CliResult notClassifier = CliRunner.RunCaptured("compress", "--model", json, "--task", "sst2", "--data", data, "--prune-heads", "0.5", "--out", temp.Combine("y"));
        Assert.AreNotEqual(0, notClassifier.Code);
        StringAssert.Contains(notClassifier.Error, "report.json");

        CliResult bad = CliRunner.RunCaptured("compress", "--model", model, "--task", "sst2", "--data", data, "--prune-heads", "1.5", "--out", temp.Combine("z"));
        Assert.AreEqual(2, bad.Code);
        StringAssert.Contains(bad.Error, "got 1.5");
        CliResult method = CliRunner.RunCaptured("compress", "--model", model, "--task", "sst2", "--data", data, "--prune-heads", "0.5", "--method", "magic", "--out", temp.Combine("z"));
        Assert.AreEqual(2, method.Code);
        StringAssert.Contains(method.Error, "'magic'");
    }

    [TestMethod]
    public void TrainPruneTokensDrawsTheCurveAgainstTheUnprunedWeightsAndPlotsIt()
    {
        using var temp = new TempFolder();
        (string model, string data) = SavedModelAndTinySst2(temp);
        string output = temp.Combine("pruned"), json = temp.Combine("report.json");

        CliResult result = CliRunner.RunCaptured("train", "prune-tokens", "--model", model, "--task", "sst2", "--data", data, "--token-keep", "1,0.5,0.25",
            "--curve", "1;1,0.5,0.25", "--batch-size", "8", "--learning-rate", "1e-3", "--speed-rounds", "1", "--out", output, "--json", json);
        Assert.AreEqual(0, result.Code, result.Output + result.Error);
        using (JsonDocument report = JsonDocument.Parse(File.ReadAllText(json)))
        {
            JsonElement[] curve = report.RootElement.GetProperty("curve").EnumerateArray().ToArray();
            CollectionAssert.AreEqual(new[] { "1,1,1", "1,0.5,0.25" }, curve.Select(p => p.GetProperty("schedule").GetString()).ToArray());
            Assert.IsGreaterThan(1.0, curve[1].GetProperty("estimatedSpeedup").GetDouble());
            string plot = report.RootElement.GetProperty("plotPath").GetString()!;
            CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(plot).Take(4).ToArray(), "speed_quality.png is a PNG");
        }
        string pruned = Path.Combine(output, "model.zip");

        // The written model serves its target; measured again, the curve's reference is the same weights unpruned.
        CliResult again = CliRunner.RunCaptured("train", "prune-tokens", "--model", pruned, "--task", "sst2", "--data", data, "--curve", "1",
            "--speed-rounds", "1", "--no-plot", "--out", temp.Combine("again"), "--json", json);
        Assert.AreEqual(0, again.Code, again.Output + again.Error);
        StringAssert.Contains(again.Output, "The input model prunes tokens (schedule 1,0.5,0.25)");
        using (JsonDocument report = JsonDocument.Parse(File.ReadAllText(json)))
        {
            JsonElement full = report.RootElement.GetProperty("curve")[0];
            Assert.AreEqual(report.RootElement.GetProperty("originalDevPrimary").GetDouble(), full.GetProperty("devPrimary").GetDouble(), "keep 1 is the reference");
            Assert.AreEqual(JsonValueKind.Null, report.RootElement.GetProperty("plotPath").ValueKind);
        }
        Assert.IsFalse(File.Exists(temp.Combine("again", "speed_quality.png")), "--no-plot");

        CliResult bad = CliRunner.RunCaptured("train", "prune-tokens", "--model", model, "--task", "sst2", "--data", data, "--curve", "1;1,1.5,0.5");
        Assert.AreEqual(2, bad.Code, bad.Output + bad.Error);
        StringAssert.Contains(bad.Error, "1.5");
    }

    [TestMethod]
    public void CompressCommandTokenPrunesASavedClassifierAtEachSchedule()
    {
        using var temp = new TempFolder();
        (string model, string data) = SavedModelAndTinySst2(temp);
        string output = temp.Combine("tokens"), json = temp.Combine("report.json");

        CliResult result = CliRunner.RunCaptured("compress", "--model", model, "--task", "sst2", "--data", data, "--token-keep", "1,0.5,0.25;1,0.8,0.6",
            "--batch-size", "8", "--learning-rate", "1e-3", "--speed-rounds", "1", "--no-plot", "--out", output, "--json", json);
        Assert.AreEqual(0, result.Code, result.Output + result.Error);
        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement[] variants = report.RootElement.GetProperty("variants").EnumerateArray().ToArray();
        CollectionAssert.AreEqual(new[] { "tokens 1,0.5,0.25", "tokens 1,0.8,0.6" }, variants.Select(v => v.GetProperty("variant").GetString()).ToArray(), "token variants only: no head pruning asked");
        double strong = variants[0].GetProperty("estimated_speedup").GetDouble(), mild = variants[1].GetProperty("estimated_speedup").GetDouble();
        Assert.IsTrue(strong > mild && mild > 1, $"estimated {strong} and {mild}");
        Assert.AreEqual(12, variants[0].GetProperty("heads").GetInt32());
        string saved = variants[0].GetProperty("model_path").GetString()!;
        EncoderFineTuningTransformer loaded = EncoderFineTuningTransformer.Load(new MLContext(), saved);
        using var end = new Ends(loaded.Dispose);
        Assert.AreEqual("1,0.5,0.25", loaded.TokenKeep!.ToString(), "the written model serves the schedule it was fine-tuned for");
        Assert.AreEqual(2, ModelProto.Parser.ParseFrom(loaded.OnnxBytes).Graph.Node.Count(n => n.OpType == "TopK"), "one ranking between each pair of layers");

        CliResult bad = CliRunner.RunCaptured("compress", "--model", model, "--task", "sst2", "--data", data, "--token-keep", "0.8;1,1.5,0.5", "--out", temp.Combine("z"));
        Assert.AreEqual(2, bad.Code, bad.Output + bad.Error);
        StringAssert.Contains(bad.Error, "1.5");
        Assert.IsFalse(Directory.Exists(temp.Combine("z", "tokens")), "checked before any training");
        CliResult encoder = CliRunner.RunCaptured("compress", "--encoder", "minilm", "--token-keep", "0.8", "--out", temp.Combine("e"));
        Assert.AreEqual(2, encoder.Code);
        StringAssert.Contains(encoder.Error, "--token-keep");
    }

    /// <summary>Ends an owned transformer (an IOwnedTransformer, not IDisposable) at the end of a using scope.</summary>
    private sealed class Ends(Action end) : IDisposable
    {
        public void Dispose() => end();
    }

    /// <summary>The tiny classifier saved as model.zip and an SST-2 folder of 16 training and 24 dev rows, in <paramref name="temp"/>.</summary>
    private static (string Model, string Data) SavedModelAndTinySst2(TempFolder temp)
    {
        string model = temp.Combine("model.zip");
        _model.Save(model);
        string data = temp.Combine("sst2");
        Directory.CreateDirectory(data);
        File.WriteAllLines(Path.Combine(data, "train.tsv"), File.ReadLines(SharedData.RequireFile("sst2", "train.tsv")).Take(17));
        File.WriteAllLines(Path.Combine(data, "dev.tsv"), File.ReadLines(SharedData.RequireFile("sst2", "dev.tsv")).Take(25));
        return (model, data);
    }
}
