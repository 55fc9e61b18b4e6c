using System.Text.Json;
using Microsoft.ML;
using MLNetExt.Estimators.Compression;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Trainers;
using MLNetExt.UnitTests.Transforms;
using TorchSharp;

namespace MLNetExt.UnitTests.Estimators;

/// <summary>
/// The compression sweep: the speed constraint filters trials and the best feasible one is chosen (on made-up figures,
/// where the answer is known), the sweep runs end to end on a tiny encoder and a tiny fine-tuned classifier (every
/// configuration once, a student or pruned model trained once, the choice consistent with the measured table, resume,
/// nothing feasible named), and bad options are named with their value.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class CompressionSweepTests
{
    private static CompressionTrial Trial(int id, double? quality, double? speedup, double min) => new()
    {
        TrialId = id, Configuration = new CompressionConfiguration(6, 1, true, "1"), Description = $"t{id}",
        Quality = quality, Speedup = speedup, SpeedupCpu = speedup, ConstrainedSpeedup = speedup, Feasible = speedup >= min,
        Error = quality is null ? "failed" : null,
    };

    [TestMethod]
    public void TheConstraintFiltersTrialsAndTheBestFeasibleIsChosen()
    {
        CompressionTrial[] trials =
        [
            Trial(0, 86.7, 1.0, 2), // the best quality, too slow
            Trial(1, 85.1, 3.8, 2),
            Trial(2, 85.9, 2.1, 2), // the best feasible
            Trial(3, 84.0, 1.9, 2),
            Trial(4, null, null, 2),
        ];
        Assert.AreEqual(2, CompressionSweep.Choose(trials)!.TrialId);
        Assert.AreEqual(1, CompressionSweep.Choose(trials.Select(t => t with { Feasible = t.ConstrainedSpeedup >= 3 }))!.TrialId);
        Assert.IsNull(CompressionSweep.Choose(trials.Select(t => t with { Feasible = false })));

        // The tuner's loss puts every feasible trial before every infeasible one, and among infeasible ones the faster first.
        double[] feasible = [CompressionTrialRunner.Loss(85.9, 2.1, 2), CompressionTrialRunner.Loss(10, 50, 2)];
        double[] infeasible = [CompressionTrialRunner.Loss(99, 1.9, 2), CompressionTrialRunner.Loss(99, 1.0, 2)];
        Assert.IsTrue(feasible.Max() < infeasible.Min());
        Assert.IsTrue(infeasible[0] < infeasible[1]);
        Assert.IsTrue(CompressionTrialRunner.Loss(85.9, 2.1, 2) < CompressionTrialRunner.Loss(85.1, 3.8, 2), "higher quality wins among feasible trials");

        string message = CompressionSweep.NoFeasibleMessage(trials, new CompressionSweepOptions { MinSpeedup = 5, OutputFolder = "x", Encoder = "minilm" });
        StringAssert.Contains(message, "No trial reached 5x");
        StringAssert.Contains(message, "trial 1 (t1) at 3.8x");
    }

    [TestMethod]
    public void ThePlotShowsTheOriginalAndEveryMeasuredTrialTaggedByNumberWithTheLegendBeside()
    {
        CompressionTrial[] trials = [Trial(0, 86.7, 1.0, 2), Trial(1, 85.1, 3.8, 2), Trial(2, 85.9, 2.1, 2), Trial(4, null, null, 2)];
        var result = new CompressionSweepResult
        {
            Model = "minilm", QualityMeasure = "STS", OriginalQuality = 86.72, MinSpeedup = 2, Trials = trials, Chosen = CompressionSweep.Choose(trials),
        };
        var points = CompressionSweepReport.PlotPoints(result);
        CollectionAssert.AreEqual(new[] { "original", "0", "1", "2 (chosen)" }, points.Select(p => p.Tag ?? p.Label).ToArray(), "the failed trial has no point");
        Assert.AreEqual("2: t2 (chosen)", points[3].Label, "the legend names the configuration");
        Assert.AreEqual(1, points[0].Speedup);

        using var temp = new TempFolder();
        string png = temp.Combine("plot.png");
        MLNetExt.Evaluation.Reports.SpeedQualityPlot.Save(points, "STS", png);
        byte[] bytes = File.ReadAllBytes(png);
        int width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)); // the PNG header's width
        Assert.IsGreaterThan(800, width, "the legend is beside an 800-pixel data area, not over its points");
    }

    [TestMethod]
    [DataRow(1.0)]
    [DataRow(0.5)]
    [DataRow(0.0)]
    [DataRow(-2.0)]
    [DataRow(double.NaN)]
    [DataRow(double.PositiveInfinity)]
    public void BadMinimumSpeedupsAreNamed(double value)
    {
        var options = new CompressionSweepOptions { Encoder = "minilm", StsPath = "sts.tsv", OutputFolder = "out", MinSpeedup = value };
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(options.Validate);
        StringAssert.Contains(e.Message, "--min-speedup");
        StringAssert.Contains(e.Message, $"got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    [TestMethod]
    public void OptionsThatDoNotGoTogetherAreNamed()
    {
        CompressionSweepOptions Encoder() => new() { Encoder = "minilm", StsPath = "sts.tsv", OutputFolder = "out" };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => { var o = Encoder(); o.HeadsKept = [1, 1.5]; o.Validate(); }).Message, "got 1.5");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => { var o = Encoder(); o.HeadsKept = [0]; o.Validate(); }).Message, "(0, 1]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => { var o = Encoder(); o.Layers = [0]; o.Validate(); }).Message, "got 0");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => { var o = Encoder(); o.TokenKeep = ["0.8"]; o.Validate(); }).Message, "fine-tuned classifiers");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => { var o = Encoder(); o.StsPath = null; o.Validate(); }).Message, "STS file");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => { var o = Encoder(); o.ModelPath = "m.zip"; o.Validate(); }).Message, "not both");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => { var o = Encoder(); o.Tuner = "magic"; o.Validate(); }).Message, "'magic'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            new CompressionSweepOptions { ModelPath = "m.zip", Task = "sst2", DataFolder = "d", OutputFolder = "out", Layers = [3] }.Validate()).Message, "Layer dropping applies to encoders");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            new CompressionSweepOptions { ModelPath = "m.zip", OutputFolder = "out" }.Validate()).Message, "GLUE task");
    }

    private static string WriteTinyEncoder(string folder)
    {
        Directory.CreateDirectory(folder);
        torch.manual_seed(5);
        using var model = new BertModel(new BertConfig
        {
            VocabSize = 30522, HiddenSize = 16, HeadsPerLayer = [2, 2, 2, 2], HeadSize = 8, IntermediateSize = 32, MaxPositionEmbeddings = 64,
        });
        OnnxBertWriter.Save(model.ToWeights(), Path.Combine(folder, "model.onnx"));
        File.WriteAllBytes(Path.Combine(folder, "vocab.txt"), TrainerTestData.MiniLmVocabulary);
        File.WriteAllText(Path.Combine(folder, "config.json"), model.Config.ToJson());
        return folder;
    }

    private static void AssertConsistent(CompressionSweepResult result)
    {
        foreach (CompressionTrial t in result.Trials)
        {
            Assert.IsNull(t.Error, $"trial {t.TrialId} ({t.Description}) failed: {t.Error}");
            Assert.IsNotNull(t.Quality);
            Assert.AreEqual(t.ConstrainedSpeedup >= result.MinSpeedup, t.Feasible, $"trial {t.TrialId}");
        }
        CompressionTrial[] feasible = result.Trials.Where(t => t.Feasible).ToArray();
        if (feasible.Length == 0)
        {
            Assert.IsNull(result.Chosen);
            StringAssert.Contains(result.Message, "No trial reached");
            return;
        }
        Assert.IsNotNull(result.Chosen, "a feasible trial exists, so one is chosen");
        Assert.AreEqual(feasible.Max(t => t.Quality), result.Chosen.Quality, "the chosen trial has the best quality among the feasible ones");
        Assert.IsNotNull(result.ModelPath);
    }

    [TestMethod]
    public void AnEncoderSweepTriesEveryConfigurationOnceTrainsEachStudentOnceAndChoosesFromTheTable()
    {
        using var temp = new TempFolder();
        string encoder = WriteTinyEncoder(temp.Combine("tiny"));
        string sts = temp.Combine("sts.tsv");
        File.WriteAllLines(sts, File.ReadLines(SharedData.RequireFile("stsb", "dev.tsv")).Take(41));
        string text = temp.Combine("text.txt");
        File.WriteAllLines(text, TrainerTestData.StsbSentences(32));
        string output = temp.Combine("sweep");
        var options = new CompressionSweepOptions
        {
            Encoder = encoder, StsPath = sts, DistillTextPaths = [text], Layers = [4, 2], HeadsKept = [1], MinSpeedup = 1.05, TimeSeconds = 600,
            MaxTokens = 32, BatchSize = 8, LearningRate = 1e-3, ImportanceBatches = 2, SpeedRows = 24, SpeedRounds = 1, OutputFolder = output,
        };
        var lines = new List<string>();
        CompressionSweepResult result = new MLContext(1).Transforms.Text.AutoCompressEncoder(options, log: lines.Add);

        Assert.AreEqual(4, result.SearchSpaceSize, "layers {4, 2} x {fp32, int8}");
        Assert.AreEqual(4, result.Trials.Count);
        Assert.AreEqual(4, result.Trials.Select(t => t.Configuration).Distinct().Count(), "every configuration once");
        Assert.AreEqual(SweepStopReason.TrialLimit, result.StopReason);
        Assert.IsNotNull(result.OriginalQuality);
        Assert.AreEqual(result.OriginalQuality, result.Trials.Single(t => t.Configuration.IsOriginal(4)).Quality, "the original's quality is its own trial's");
        AssertConsistent(result);
        Assert.AreEqual(1, Directory.GetDirectories(Path.Combine(output, "trials"), "student-*").Length, "the 2-layer student is distilled once for its fp32 and int8 trials");
        Assert.AreEqual(1, lines.Count(l => l.StartsWith("Distilling", StringComparison.Ordinal)));
        CompressionTrial int8Student = result.Trials.Single(t => t.Configuration == new CompressionConfiguration(2, 1, true, "1"));
        Assert.AreEqual(2, EncoderModel.Load(int8Student.ModelPath!).Config.Layers);
        Assert.IsLessThan(result.Trials.Single(t => t.Configuration.IsOriginal(4)).SizeBytes!.Value, int8Student.SizeBytes!.Value);
        if (result.Chosen is not null)
            Assert.AreEqual(result.Chosen.Configuration.Layers, EncoderModel.Load(result.ModelPath!).Config.Layers, "the chosen model is the one written");
        StringAssert.Contains(File.ReadAllText(result.ReportPath!), "| trial | configuration |");
        byte[] plot = File.ReadAllBytes(Path.Combine(output, "speed_quality.png"));
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, plot.Take(4).ToArray(), "speed_quality.png is a PNG");
        Assert.AreEqual(result.Trials.Count(t => t.Error is null) + 1, CompressionSweepReport.PlotPoints(result).Length, "the original and every measured trial");
        using (JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json"))))
            Assert.AreEqual(4, json.RootElement.GetProperty("trials").GetArrayLength());

        // Same folder, an unreachable constraint: every trial comes back from the checkpoint, none is feasible, and the message says so.
        options.MinSpeedup = 1000;
        CompressionSweepResult again = CompressionSweep.Run(options);
        Assert.AreEqual(4, again.ResumedTrials);
        Assert.IsNull(again.Chosen);
        Assert.IsNull(again.ModelPath);
        StringAssert.Contains(again.Message, "No trial reached 1000x");
        StringAssert.Contains(File.ReadAllText(again.ReportPath!), "Nothing chosen");
    }

    [TestMethod]
    public void AClassifierSweepSearchesHeadsTokenKeepAndInt8AndPrunesOncePerShare()
    {
        using var temp = new TempFolder();
        string data = temp.Combine("sst2");
        Directory.CreateDirectory(data);
        File.WriteAllLines(Path.Combine(data, "train.tsv"), File.ReadLines(SharedData.RequireFile("sst2", "train.tsv")).Take(49));
        File.WriteAllLines(Path.Combine(data, "dev.tsv"), File.ReadLines(SharedData.RequireFile("sst2", "dev.tsv")).Take(33));
        string model = temp.Combine("model.zip");
        TrainTinyClassifier(temp.Combine("encoder"), Path.Combine(data, "train.tsv"), model);

        var options = new CompressionSweepOptions
        {
            ModelPath = model, Task = "sst2", DataFolder = data, HeadsKept = [1, 0.5], TokenKeep = ["1", "0.8"], MinSpeedup = 1.05, TimeSeconds = 600,
            BatchSize = 8, ImportanceBatches = 2, LearningRate = 1e-3, SpeedRounds = 1, OutputFolder = temp.Combine("sweep"),
        };
        CompressionSweepResult result = new MLContext(1).MulticlassClassification.Trainers.AutoCompressClassifier(options);

        Assert.AreEqual(8, result.Trials.Count, "heads {1, 0.5} x token keep {1, 0.8} x {fp32, int8}, each once");
        AssertConsistent(result); // also: int8 on a token-pruning graph and on a head-pruned one runs
        Assert.AreEqual(1, Directory.GetFiles(Path.Combine(options.OutputFolder, "trials"), "pruned-*.zip").Length, "heads pruned once for the four trials that keep half");
        CompressionTrial smallest = result.Trials.Single(t => t.Configuration == new CompressionConfiguration(3, 0.5, true, "0.8"));
        EncoderFineTuningTransformer loaded = EncoderFineTuningTransformer.Load(new MLContext(1), smallest.ModelPath!);
        try
        {
            Assert.IsNotNull(loaded.TokenKeep, "the token keep schedule is in the written model");
            Assert.AreEqual(2, loaded.Predict(["a fine film"])[0].Length);
        }
        finally
        {
            loaded.Dispose(); // an IOwnedTransformer: its owner ends it
        }
        if (result.Chosen is not null)
            Assert.IsTrue(File.Exists(result.ModelPath));
    }

    private static void TrainTinyClassifier(string encoder, string trainFile, string modelPath)
    {
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
        var ml = new MLContext(1);
        var rows = File.ReadLines(trainFile).Skip(1).Select(l => l.Split('\t'))
            .Select(f => new ClassifierHeadPruningTests.ReviewRow { Sentence = f[0], Label = f[1] }).ToArray();
        IDataView train = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        EncoderFineTuningTransformer model = ml.MulticlassClassification.Trainers.EncoderTextClassification(new EncoderFineTuningOptions
        {
            Encoder = EncoderModel.Load(encoder), SentenceColumnName = "Sentence", MaxTokens = 32,
            Training = new TrainingOptions { BatchSize = 8, Epochs = 1, LearningRate = 1e-3 },
        }).Fit(train);
        model.Save(modelPath);
        model.Dispose(); // an IOwnedTransformer: its owner ends it
    }
}
