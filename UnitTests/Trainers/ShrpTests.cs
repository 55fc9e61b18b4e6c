using Microsoft.ML;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.UnitTests.Infrastructure;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>
/// SHRP on a tiny fine-tuned classifier (3 layers x 4 heads): the attention expander is exported and agrees with
/// TorchSharp, the router's choice is deterministic and removing the faded heads is exact, the pruned graph holds only
/// the kept heads and agrees with TorchSharp, and bad SHRP settings are named.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ShrpTests
{
    private const double GraphTolerance = 1e-4;
    private static readonly BertConfig Expanded = new()
    {
        VocabSize = 30522, HiddenSize = 16, HeadsPerLayer = [4, 3, 2], HeadSize = 4, IntermediateSize = 32, MaxPositionEmbeddings = 64, ExpanderSize = 8,
    };

    [TestMethod]
    public void AnExpandedEncoderExportsToBothGraphStylesReadsBackAndAgreesWithTorchSharp()
    {
        torch.manual_seed(21);
        using var model = new BertModel(Expanded);
        using (no_grad())
            foreach ((string name, TorchSharp.Modules.Parameter p) in model.named_parameters().Where(x => x.name.Contains("expander")))
                p.normal_(0, 0.5); // the expander starts at zero; make it matter
        BertWeights weights = model.ToWeights();
        model.eval();
        TokenizedBatch batch = TrainerTestData.Encode(["a cat sat on the mat", "two dogs ran across the park in the rain"], maxTokens: 32);
        float[] expected = OnnxImportParityTests.Forward(model, batch);
        foreach (OnnxGraphStyle style in new[] { OnnxGraphStyle.Portable, OnnxGraphStyle.OnnxRuntimeFused })
        {
            byte[] onnx = OnnxBertWriter.ToBytes(weights, style: style);
            BertWeights read = OnnxBertReader.Read(new MemoryStream(onnx), style.ToString());
            Assert.AreEqual(8, read.Config.ExpanderSize, style.ToString());
            CollectionAssert.AreEqual(new[] { 4, 3, 2 }, read.Config.HeadsPerLayer.ToArray());
            using var runner = new GraphRunner(onnx);
            double diff = TrainerTestData.MaxAbsDiffOnRealTokens(expected, runner.Run(batch).Values, batch, Expanded.HiddenSize);
            Assert.IsLessThanOrEqualTo(GraphTolerance, diff, $"{style}: ONNX Runtime vs TorchSharp max diff {diff:E2}");
        }
        Assert.AreEqual(8, BertConfig.FromJson(Expanded.ToJson()).ExpanderSize);
    }

    [TestMethod]
    public void TheRouterChoosesDeterministicallyAndRemovingItsFadedHeadsIsExact()
    {
        (MLContext ml, EncoderFineTuningTransformer model, IDataView train) = TinyClassifier();
        var options = new ClassifierHeadPruningOptions
        {
            Method = HeadPruningMethod.Shrp, PruneFraction = 0.5, Shrp = { ExpanderSize = 8 }, Recover = false,
            Training = new TrainingOptions { BatchSize = 8, Epochs = 1, LearningRate = 1e-3, Seed = 3 },
        };
        ClassifierHeadPruningResult first = ml.MulticlassClassification.Trainers.PruneClassifierHeads(model, options).Train(train);
        ClassifierHeadPruningResult second = ml.MulticlassClassification.Trainers.PruneClassifierHeads(model, options).Train(train);
        try
        {
            Assert.AreEqual(HeadPruningMethod.Shrp, first.Method);
            Assert.AreEqual(6, first.HeadsAfter);
            Assert.IsNotNull(first.Routing);
            Assert.AreEqual(6, first.Routing.Steps, "48 rows in batches of 8, one routing epoch");
            CollectionAssert.AreEqual(first.RemovedHeads.ToArray(), second.RemovedHeads.ToArray(), "same seed, same heads");
            foreach (IReadOnlyList<float> layer in first.Scores)
                Assert.AreEqual(1.0, layer.Sum(), 1e-4, "Top-1 usage shares of a layer add up to 1");
            // The heads removed are those the router used least (where the one-head-per-layer rule allows).
            float leastKept = first.KeptHeads.SelectMany((k, l) => k.Select(h => first.Scores[l][h])).Min();
            float mostRemoved = first.RemovedHeads.Select(r => r.Split(':').Select(int.Parse).ToArray()).Select(r => first.Scores[r[0]][r[1]]).Max();
            Assert.IsTrue(mostRemoved <= leastKept || first.KeptHeads.Any(k => k.Count == 1), $"removed usage {mostRemoved} vs kept {leastKept}");

            // Removed heads are gone from the served graph; the expanders are in it; it agrees with TorchSharp.
            CollectionAssert.AreEqual(first.KeptHeads.Select(k => k.Count).ToArray(), ClassifierHeadPruningTests.AttentionHeads(first.Pruned.OnnxBytes));
            Assert.IsTrue(ModelProto.Parser.ParseFrom(first.Pruned.OnnxBytes).Graph.Initializer.Any(t => t.Name.Contains("expander.dense_in")));
            float[][] served = first.Pruned.Predict(ClassifierHeadPruningTests.Sentences);
            float[][] torchSharp = ClassifierHeadPruningTests.TorchSharpProbabilities(first.Pruned, ClassifierHeadPruningTests.Sentences);
            for (int i = 0; i < served.Length; i++)
                for (int c = 0; c < 2; c++)
                    Assert.AreEqual(torchSharp[i][c], served[i][c], GraphTolerance, $"row {i} class {c}");
        }
        finally
        {
            first.Pruned.Dispose();
            second.Pruned.Dispose();
            model.Dispose();
        }
    }

    [TestMethod]
    public void TheRoutedNetworkAtItsLastStepEqualsThePrunedOne()
    {
        (MLContext ml, EncoderFineTuningTransformer model, IDataView _) = TinyClassifier();
        try
        {
            var trainer = ml.MulticlassClassification.Trainers.PruneClassifierHeads(model, new ClassifierHeadPruningOptions
            {
                Method = HeadPruningMethod.Shrp, PruneFraction = 0.5, Shrp = { ExpanderSize = 8 },
                Training = new TrainingOptions { BatchSize = 8, Epochs = 1, LearningRate = 1e-3, Seed = 5 },
            });
            FineTuningRows rows = Rows(model, 32);
            ClassifierHeadPruningTrainer.ShrpRouting route = trainer.Route(rows, CancellationToken.None);
            TokenizedBatch batch = TrainerTestData.Encode(ClassifierHeadPruningTests.Sentences, maxTokens: 32);
            using BertModel routed = route.Routed.CreateModel();
            Tensor[] masks = route.Kept.Select((k, layer) => tensor(Enumerable.Range(0, 4).Select(h => k.Contains(h) ? 1f : 0f).ToArray())).ToArray();
            for (int i = 0; i < masks.Length; i++)
                routed.Layers[i].Attention.SelfAttention.HeadMask = masks[i]; // gate 0 for faded heads, routing strength 0
            using BertModel pruned = route.Pruned.CreateModel();
            double diff = TrainerTestData.MaxAbsDiffOnRealTokens(OnnxImportParityTests.Forward(routed, batch), OnnxImportParityTests.Forward(pruned, batch), batch, 16);
            Assert.IsLessThanOrEqualTo(1e-5, diff, $"routed (faded heads gated to 0) vs pruned: max diff {diff:E2}");
            Assert.AreEqual(8, route.Pruned.Config.ExpanderSize);
        }
        finally
        {
            model.Dispose();
        }
    }

    [TestMethod]
    public void BadShrpSettingsAreNamed()
    {
        (MLContext ml, EncoderFineTuningTransformer model, IDataView _) = TinyClassifier(train: false);
        try
        {
            var split = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.PruneClassifierHeads(model,
                new ClassifierHeadPruningOptions { Method = HeadPruningMethod.Shrp, Shrp = { BalanceFraction = 0.6, SpecializationFraction = 0.5 } }));
            StringAssert.Contains(split.Message, "0.6");
            var epochs = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.PruneClassifierHeads(model,
                new ClassifierHeadPruningOptions { Method = HeadPruningMethod.Shrp, Shrp = { RoutingEpochs = 0 } }));
            StringAssert.Contains(epochs.Message, "got 0");
            var everything = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.PruneClassifierHeads(model,
                new ClassifierHeadPruningOptions { Method = HeadPruningMethod.Shrp, PruneFraction = 1 }));
            StringAssert.Contains(everything.Message, "got 1");
            foreach (double weight in new[] { -0.1, 1.5, double.NaN })
            {
                var distill = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.PruneClassifierHeads(model,
                    new ClassifierHeadPruningOptions { Method = HeadPruningMethod.Shrp, DistillationWeight = weight }));
                StringAssert.Contains(distill.Message, $"DistillationWeight must be in [0, 1]; got {weight}");
            }
        }
        finally
        {
            model.Dispose();
        }
    }

    /// <summary>Saves a tiny SST-2 classifier (3 layers x 4 heads) to <paramref name="path"/>.</summary>
    internal static void SaveTinyClassifier(string path)
    {
        (MLContext _, EncoderFineTuningTransformer model, IDataView _) = TinyClassifier();
        try
        {
            model.Save(path);
        }
        finally
        {
            model.Dispose();
        }
    }

    private static FineTuningRows Rows(EncoderFineTuningTransformer model, int count)
    {
        string[][] fields = File.ReadLines(SharedData.RequireFile("sst2", "train.tsv")).Skip(1).Take(count).Select(l => l.Split('\t')).ToArray();
        return new FineTuningRows(fields.Select(f => model.Serving.Tokenizer.Tokenize(f[0].AsSpan())).ToArray(), fields.Select(f => float.Parse(f[1])).ToArray());
    }

    private static (MLContext Ml, EncoderFineTuningTransformer Model, IDataView Train) TinyClassifier(bool train = true)
    {
        var ml = new MLContext(1);
        torch.manual_seed(7);
        string folder = Path.Combine(Path.GetTempPath(), "mlnetext-shrp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            using (var bert = new BertModel(new BertConfig
            {
                VocabSize = 30522, HiddenSize = 16, HeadsPerLayer = [4, 4, 4], HeadSize = 4, IntermediateSize = 32, MaxPositionEmbeddings = 64,
            }))
            {
                OnnxBertWriter.Save(bert.ToWeights(), Path.Combine(folder, "model.onnx"));
                File.WriteAllText(Path.Combine(folder, "config.json"), bert.Config.ToJson());
            }
            File.WriteAllBytes(Path.Combine(folder, "vocab.txt"), TrainerTestData.MiniLmVocabulary);
            ClassifierHeadPruningTests.ReviewRow[] rows = File.ReadLines(SharedData.RequireFile("sst2", "train.tsv")).Skip(1).Take(48)
                .Select(l => l.Split('\t')).Select(f => new ClassifierHeadPruningTests.ReviewRow { Sentence = f[0], Label = f[1] }).ToArray();
            IDataView data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
            EncoderFineTuningTransformer model = ml.MulticlassClassification.Trainers.EncoderTextClassification(new EncoderFineTuningOptions
            {
                Encoder = EncoderModel.Load(folder), SentenceColumnName = "Sentence", MaxTokens = 32,
                Training = new TrainingOptions { BatchSize = 8, Epochs = 1, LearningRate = 1e-3, MaxSteps = train ? null : 1 },
            }).Fit(data);
            return (ml, model, data);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
