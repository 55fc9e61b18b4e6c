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

namespace MLNetExt.UnitTests.Trainers;

/// <summary>
/// Layer dropping with distillation of a fine-tuned classifier (a tiny 4-layer encoder fine-tuned on 48 SST-2 rows):
/// the student is made of the teacher's layers and head, KL training pulls it towards the teacher on unlabelled text,
/// the served student agrees with TorchSharp, saves and loads with its layer count, int8 copies use integer kernels,
/// and bad options are named, from C# and from <c>mlnetext compress --model</c>.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ClassifierDistillationTests
{
    private const double GraphTolerance = 1e-4;
    private const double Int8Tolerance = 0.05;
    private static string _folder = null!;
    private static EncoderFineTuningTransformer _model = null!;
    private static MLContext _ml = null!;
    private static IDataView _train = null!;
    private static IDataView _unlabelled = null!;
    private static string[] _texts = null!;

    private static readonly string[] Sentences = ClassifierHeadPruningTests.Sentences;

    private sealed class TextRow
    {
        public string Sentence { get; set; } = "";
    }

    /// <summary>The first step's loss, recorded on the training thread (no posting to a synchronisation context).</summary>
    private sealed class StepLosses : IProgress<TrainingProgress>
    {
        public double First { get; private set; } = double.NaN;

        public void Report(TrainingProgress value)
        {
            if (value.Step == 1)
                First = value.Loss;
        }
    }

    [ClassInitialize]
    public static void TrainTinyTeacher(TestContext context)
    {
        _folder = Path.Combine(Path.GetTempPath(), "mlnetext-distilled-classifier-" + Guid.NewGuid().ToString("N"));
        string encoder = WriteEncoder(Path.Combine(_folder, "encoder"), hidden: 16, TrainerTestData.MiniLmVocabulary);
        _ml = new MLContext(1);
        ClassifierHeadPruningTests.ReviewRow[] rows = File.ReadLines(SharedData.RequireFile("sst2", "train.tsv")).Skip(1).Take(48)
            .Select(l => l.Split('\t')).Select(f => new ClassifierHeadPruningTests.ReviewRow { Sentence = f[0], Label = f[1] }).ToArray();
        _train = _ml.Transforms.Conversion.MapValueToKey("Label").Fit(_ml.Data.LoadFromEnumerable(rows)).Transform(_ml.Data.LoadFromEnumerable(rows));
        _model = _ml.MulticlassClassification.Trainers.EncoderTextClassification(new EncoderFineTuningOptions
        {
            Encoder = EncoderModel.Load(encoder), SentenceColumnName = "Sentence", MaxTokens = 32,
            Training = new TrainingOptions { BatchSize = 8, Epochs = 2, LearningRate = 1e-3 },
        }).Fit(_train);
        _texts = File.ReadLines(SharedData.RequireFile("sst2", "train.tsv")).Skip(100).Take(64).Select(l => l.Split('\t')[0]).ToArray();
        _unlabelled = _ml.Data.LoadFromEnumerable(_texts.Select(t => new TextRow { Sentence = t }));
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        _model.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static string WriteEncoder(string folder, int hidden, byte[] vocabulary)
    {
        Directory.CreateDirectory(folder);
        torch.manual_seed(7);
        using var bert = new BertModel(new BertConfig
        {
            VocabSize = 30522, HiddenSize = hidden, HeadsPerLayer = [2, 2, 2, 2], HeadSize = hidden / 2, IntermediateSize = 32, MaxPositionEmbeddings = 64,
        });
        OnnxBertWriter.Save(bert.ToWeights(), Path.Combine(folder, "model.onnx"));
        File.WriteAllText(Path.Combine(folder, "config.json"), bert.Config.ToJson());
        File.WriteAllBytes(Path.Combine(folder, "vocab.txt"), vocabulary);
        return folder;
    }

    private static ClassifierDistillationOptions Options(IReadOnlyList<int>? layers = null) => new()
    {
        StudentLayers = layers, Temperature = 1,
        Training = new TrainingOptions { BatchSize = 8, Epochs = 3, LearningRate = 3e-3, WarmupFraction = 0, Seed = 3 },
    };

    /// <summary>Mean KL divergence from the teacher's class distribution to the student's over <paramref name="texts"/>.</summary>
    private static double KlToTeacher(EncoderFineTuningTransformer student, IReadOnlyList<string> texts)
    {
        float[][] teacher = _model.Predict(texts), learner = student.Predict(texts);
        return teacher.Zip(learner, (p, q) => p.Zip(q, (a, b) => a * Math.Log(Math.Max(a, 1e-12) / Math.Max(b, 1e-12))).Sum()).Average();
    }

    private static string[] Operators(byte[] onnx) => ModelProto.Parser.ParseFrom(onnx).Graph.Node.Select(n => n.OpType).ToArray();

    [TestMethod]
    public void AStudentOfAllLayersReproducesTheTeacherAndAStudentOfSomeLayersIsMadeOfThem()
    {
        EncoderFineTuningTransformer same = _ml.MulticlassClassification.Trainers.DistillClassifier(_model, Options([0, 1, 2, 3])).CreateStudent();
        using (Owned.Ends(same))
        {
            float[][] expected = _model.Predict(Sentences), actual = same.Predict(Sentences);
            for (int i = 0; i < Sentences.Length; i++)
                for (int c = 0; c < 2; c++)
                    Assert.AreEqual(expected[i][c], actual[i][c], 1e-5, $"all four layers reproduce the teacher: row {i} class {c}");
        }

        CollectionAssert.AreEqual(new[] { 0, 2, 3 }, _ml.MulticlassClassification.Trainers.DistillClassifier(_model).TeacherLayers!.ToArray(),
            "three layers spread evenly over four, first and last kept");
        ClassifierDistillationTrainer trainer = _ml.MulticlassClassification.Trainers.DistillClassifier(_model, Options([0, 3]));
        EncoderFineTuningTransformer student = trainer.CreateStudent();
        using IDisposable end = Owned.Ends(student);
        Assert.AreEqual(2, student.LayerCount);
        CollectionAssert.AreEqual(new[] { 2, 2 }, ClassifierHeadPruningTests.AttentionHeads(student.OnnxBytes), "one fused Attention node per kept layer");
        (BertWeights teacherWeights, OnnxLinearHead teacherHead) = FineTunedClassifierGraph.Read(_model, "teacher");
        (BertWeights studentWeights, OnnxLinearHead studentHead) = FineTunedClassifierGraph.Read(student, "student");
        CollectionAssert.AreEqual(teacherWeights.Weights["encoder.layer.3.output.dense.weight"].Data, studentWeights.Weights["encoder.layer.1.output.dense.weight"].Data,
            "student layer 1 is teacher layer 3");
        CollectionAssert.AreEqual(teacherWeights.Weights["encoder.layer.0.attention.self.query.weight"].Data, studentWeights.Weights["encoder.layer.0.attention.self.query.weight"].Data);
        CollectionAssert.AreEqual(teacherWeights.Weights["embeddings.word_embeddings.weight"].Data, studentWeights.Weights["embeddings.word_embeddings.weight"].Data);
        CollectionAssert.AreEqual(teacherHead.Weight, studentHead.Weight, "the teacher's head is copied");
        CollectionAssert.AreEqual(teacherHead.Bias, studentHead.Bias);
        Assert.AreEqual(teacherHead.Pooling, studentHead.Pooling);
    }

    [TestMethod]
    public void KlTrainingOnUnlabelledTextPullsTheStudentTowardsTheTeacherAndItIsServedSavedAndQuantised()
    {
        ClassifierDistillationTrainer trainer = _ml.MulticlassClassification.Trainers.DistillClassifier(_model, Options([0, 3]));
        double before;
        EncoderFineTuningTransformer untrained = trainer.CreateStudent();
        using (Owned.Ends(untrained))
            before = KlToTeacher(untrained, _texts);

        ClassifierDistillationResult result = trainer.Train(_unlabelled); // no Label column: distillation alone needs none
        using IDisposable end = Owned.Ends(result.Student);
        Assert.AreEqual(24, result.Training.Steps, "64 texts in batches of 8, three epochs");
        Assert.AreEqual(2, result.Layers);
        double after = KlToTeacher(result.Student, _texts);
        Assert.IsLessThan(before * 0.7, after, $"KL to the teacher before {before:G4}, after {after:G4}");

        // The served (ONNX Runtime) student is the TorchSharp student.
        float[][] served = result.Student.Predict(Sentences);
        float[][] torch = ClassifierHeadPruningTests.TorchSharpProbabilities(result.Student, Sentences);
        for (int i = 0; i < Sentences.Length; i++)
            for (int c = 0; c < 2; c++)
                Assert.AreEqual(torch[i][c], served[i][c], GraphTolerance, $"row {i} class {c}");

        using var temp = new TempFolder();
        string path = temp.Combine("student.zip");
        result.Student.Save(path);
        EncoderFineTuningTransformer loaded = EncoderFineTuningTransformer.Load(_ml, path);
        using (Owned.Ends(loaded))
        {
            Assert.AreEqual(2, loaded.LayerCount);
            Assert.AreEqual(2, Operators(loaded.OnnxBytes).Count(o => o == "Attention"));
            float[][] reloaded = loaded.Predict(Sentences);
            for (int i = 0; i < Sentences.Length; i++)
                CollectionAssert.AreEqual(served[i], reloaded[i], $"row {i} after save and load");
        }

        EncoderFineTuningTransformer int8 = result.Student.WithRuntime(new FineTunedRuntimeOptions { Int8 = true });
        using IDisposable endInt8 = Owned.Ends(int8);
        string[] operators = Operators(int8.OnnxBytes);
        Assert.AreEqual(2, operators.Count(o => o == "QAttention"), string.Join(" ", operators));
        Assert.IsTrue(operators.Contains("DynamicQuantizeMatMul") && !operators.Contains("Attention"), string.Join(" ", operators));
        float[][] quantised = int8.Predict(Sentences);
        double largest = served.Zip(quantised, (a, b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max()).Max();
        Assert.IsTrue(largest < Int8Tolerance && largest > 0, $"int8 probabilities within {Int8Tolerance} of fp32 (largest gap {largest})");
    }

    [TestMethod]
    public void TheHiddenStateTermAndTheTaskLossJoinTheLoss()
    {
        double FirstLoss(double hiddenWeight, double distillationWeight)
        {
            var steps = new StepLosses();
            ClassifierDistillationOptions options = Options([1, 3]);
            options.HiddenStateWeight = hiddenWeight;
            options.DistillationWeight = distillationWeight;
            options.Training.Epochs = 1;
            options.Progress = steps;
            ClassifierDistillationResult result = _ml.MulticlassClassification.Trainers.DistillClassifier(_model, options).Train(_train);
            result.Student.Dispose();
            Assert.AreEqual(6, result.Training.Steps, "48 rows in batches of 8");
            Assert.IsTrue(double.IsFinite(result.Training.MeanLoss) && result.Training.MeanLoss > 0, $"{result.Training.MeanLoss}");
            return steps.First;
        }

        double kl = FirstLoss(0, 1), withHidden = FirstLoss(1, 1), mixed = FirstLoss(1, 0.5);
        Assert.IsGreaterThan(kl, withHidden, $"the same first batch, from the same start: the hidden-state MSE adds to the KL ({kl} -> {withHidden})");
        Assert.AreNotEqual(withHidden, mixed, "half of the loss is the task's cross-entropy");

        ClassifierDistillationOptions labelled = Options([1, 3]);
        labelled.DistillationWeight = 0.5;
        var noLabel = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.Trainers.DistillClassifier(_model, labelled).Train(_unlabelled));
        StringAssert.Contains(noLabel.Message, "'Label'");
    }

    [TestMethod]
    public void ACancelledDistillationResumesFromItsCheckpointToTheSameStudent()
    {
        using var temp = new TempFolder();
        ClassifierDistillationOptions Checkpointed(string folder)
        {
            ClassifierDistillationOptions options = Options([0, 3]);
            options.Training.Epochs = 1;
            options.Training.CheckpointDirectory = folder;
            options.Training.CheckpointEverySteps = 2;
            return options;
        }

        ClassifierDistillationResult straight = _ml.MulticlassClassification.Trainers.DistillClassifier(_model, Checkpointed(temp.Combine("straight"))).Train(_unlabelled);
        using IDisposable endStraight = Owned.Ends(straight.Student);

        // Cancelled after the fourth step's checkpoint, then run again with the same options: it resumes there.
        using var cancel = new CancellationTokenSource();
        ClassifierDistillationOptions interrupted = Checkpointed(temp.Combine("resumed"));
        interrupted.Progress = new CancelAtStep(4, cancel);
        Assert.ThrowsExactly<OperationCanceledException>(() =>
            _ml.MulticlassClassification.Trainers.DistillClassifier(_model, interrupted).Train(_unlabelled, cancel.Token));
        ClassifierDistillationResult resumed = _ml.MulticlassClassification.Trainers.DistillClassifier(_model, Checkpointed(temp.Combine("resumed"))).Train(_unlabelled);
        using IDisposable endResumed = Owned.Ends(resumed.Student);
        Assert.IsGreaterThanOrEqualTo(4, resumed.Training.ResumedFromStep);
        Assert.AreEqual(8, resumed.Training.Steps);
        float[][] expected = straight.Student.Predict(Sentences), actual = resumed.Student.Predict(Sentences);
        for (int i = 0; i < Sentences.Length; i++)
            for (int c = 0; c < 2; c++)
                Assert.AreEqual(expected[i][c], actual[i][c], 1e-6, $"row {i} class {c}: a resumed run ends where an uninterrupted one does");
    }

    /// <summary>Cancels the run when step <paramref name="step"/> is reported.</summary>
    private sealed class CancelAtStep(int step, CancellationTokenSource cancel) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == step)
                cancel.Cancel();
        }
    }

    [TestMethod]
    public void BadOptionsAndForeignStudentsAreNamed()
    {
        ArgumentOutOfRangeException Refused(ClassifierDistillationOptions options) =>
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.Trainers.DistillClassifier(_model, options));
        StringAssert.Contains(Refused(Options([])).Message, "empty");
        StringAssert.Contains(Refused(Options([0, 4])).Message, "layers 0 to 3");
        StringAssert.Contains(Refused(Options([1, 1])).Message, "repeats a layer: 1, 1");
        foreach (int count in new[] { 0, 5 })
            StringAssert.Contains(Refused(new ClassifierDistillationOptions { StudentLayerCount = count }).Message, $"got {count}");
        foreach (double weight in new[] { -0.1, 1.5, double.NaN })
            StringAssert.Contains(Refused(new ClassifierDistillationOptions { DistillationWeight = weight }).Message, $"DistillationWeight must be in [0, 1]; got {weight}");
        StringAssert.Contains(Refused(new ClassifierDistillationOptions { Temperature = 0 }).Message, "Temperature");
        StringAssert.Contains(Refused(new ClassifierDistillationOptions { HiddenStateWeight = -1 }).Message, "HiddenStateWeight");

        byte[] vocabulary = TrainerTestData.MiniLmVocabulary.ToArray();
        int newline = Array.IndexOf(vocabulary, (byte)'\n', 2000);
        vocabulary[newline + 1] = (byte)'#'; // one word piece changed
        EncoderModel foreign = EncoderModel.Load(WriteEncoder(Path.Combine(_folder, "foreign"), hidden: 16, vocabulary));
        var vocab = Assert.ThrowsExactly<ArgumentException>(() =>
            _ml.MulticlassClassification.Trainers.DistillClassifier(_model, new ClassifierDistillationOptions { Student = foreign }));
        StringAssert.Contains(vocab.Message, "vocabulary");
        EncoderModel narrow = EncoderModel.Load(WriteEncoder(Path.Combine(_folder, "narrow"), hidden: 8, TrainerTestData.MiniLmVocabulary));
        var width = Assert.ThrowsExactly<ArgumentException>(() =>
            _ml.MulticlassClassification.Trainers.DistillClassifier(_model, new ClassifierDistillationOptions { Student = narrow }));
        StringAssert.Contains(width.Message, "hidden size is 8");
        StringAssert.Contains(Refused(new ClassifierDistillationOptions { Student = narrow, StudentLayers = [0] }).Message, "not both");
    }

    [TestMethod]
    public void AGivenStudentEncoderLearnsUnderTheTeachersHead()
    {
        EncoderModel given = EncoderModel.Load(WriteEncoder(Path.Combine(_folder, "given"), hidden: 16, TrainerTestData.MiniLmVocabulary));
        ClassifierDistillationOptions options = Options();
        options.Student = given;
        options.HiddenStateWeight = 1;
        options.Training.Epochs = 1;
        ClassifierDistillationTrainer trainer = _ml.MulticlassClassification.Trainers.DistillClassifier(_model, options);
        Assert.IsNull(trainer.TeacherLayers);
        ClassifierDistillationResult result = trainer.Train(_unlabelled);
        using IDisposable end = Owned.Ends(result.Student);
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3 }, result.MappedLayers.ToArray(), "four student layers stand for the teacher's four");
        Assert.AreEqual(4, result.Student.LayerCount);
        Assert.HasCount(Sentences.Length, result.Student.Predict(Sentences));
    }

    [TestMethod]
    public void CompressCommandDistilsAStudentAndAddsInt8CopiesOfEveryModel()
    {
        using var temp = new TempFolder();
        string model = temp.Combine("model.zip");
        _model.Save(model);
        string data = temp.Combine("sst2");
        Directory.CreateDirectory(data);
        File.WriteAllLines(Path.Combine(data, "train.tsv"), File.ReadLines(SharedData.RequireFile("sst2", "train.tsv")).Take(41));
        File.WriteAllLines(Path.Combine(data, "dev.tsv"), File.ReadLines(SharedData.RequireFile("sst2", "dev.tsv")).Take(25));
        string output = temp.Combine("student"), json = temp.Combine("report.json");

        CliResult result = CliRunner.RunCaptured("compress", "--model", model, "--task", "sst2", "--data", data, "--student-layers", "0,3", "--hidden-weight", "1",
            "--int8", "--batch-size", "8", "--learning-rate", "1e-3", "--speed-rounds", "1", "--no-plot", "--out", output, "--json", json);
        Assert.AreEqual(0, result.Code, result.Output + result.Error);
        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = report.RootElement;
        Assert.AreEqual(4, root.GetProperty("original").GetProperty("layers").GetInt32());
        JsonElement[] variants = root.GetProperty("variants").EnumerateArray().ToArray();
        CollectionAssert.AreEqual(new[] { "student 0,3", "original int8", "student 0,3 int8" }, variants.Select(v => v.GetProperty("variant").GetString()).ToArray());
        CollectionAssert.AreEqual(new[] { 2, 4, 2 }, variants.Select(v => v.GetProperty("layers").GetInt32()).ToArray());
        CollectionAssert.AreEqual(new[] { false, true, true }, variants.Select(v => v.GetProperty("int8").GetBoolean()).ToArray());
        Assert.AreEqual(5, variants[0].GetProperty("distillation").GetProperty("steps").GetInt32(), "40 training rows in batches of 8");

        string student = variants[0].GetProperty("model_path").GetString()!;
        EncoderFineTuningTransformer loadedStudent = EncoderFineTuningTransformer.Load(new MLContext(), student);
        using (Owned.Ends(loadedStudent))
            Assert.AreEqual(2, loadedStudent.LayerCount);
        string int8 = variants[2].GetProperty("model_path").GetString()!;
        EncoderFineTuningTransformer loadedInt8 = EncoderFineTuningTransformer.Load(new MLContext(), int8);
        using (Owned.Ends(loadedInt8))
            Assert.AreEqual(2, Operators(loadedInt8.OnnxBytes).Count(o => o == "QAttention"), "the saved int8 student serves integer kernels");

        (string[] Arguments, string Message)[] bad =
        [
            (["--layers", "0"], "--layers must be at least 1; got 0"),
            (["--student-layers", "0,0"], "repeats a layer: 0, 0"),
            (["--student-layers", "0,7"], "layers 0 to 3"),
            (["--student-layers", "0,x"], "'x' is not a layer number"),
            (["--layers", "2", "--student-layers", "0,1"], "not both"),
            (["--layers", "2", "--distill-weight", "1.5"], "--distill-weight must be from 0 to 1"),
            (["--layers", "2", "--distill-text", json], "--distill-text"),
            (["--layers", "2", "--max-tokens", "64"], "--max-tokens applies to --encoder"),
        ];
        foreach ((string[] arguments, string message) in bad)
        {
            CliResult refused = CliRunner.RunCaptured(["compress", "--model", model, "--task", "sst2", "--data", data, .. arguments, "--out", temp.Combine("bad")]);
            Assert.AreEqual(2, refused.Code, string.Join(" ", arguments) + ": " + refused.Output + refused.Error);
            StringAssert.Contains(refused.Error.ReplaceLineEndings(" "), message, string.Join(" ", arguments));
        }
        Assert.IsFalse(Directory.Exists(temp.Combine("bad", "student")), "checked before any training");
    }
}
