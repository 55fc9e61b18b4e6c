using Microsoft.ML;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.UnitTests.Transforms.Onnx;
using MLNetExt.UnitTests.Infrastructure;
using Onnx;
using TorchSharp;
using static MLNetExt.UnitTests.Transforms.EncoderTestModels;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>Layer dropping + distillation on a tiny 4-layer teacher: the student is the teacher's layers, and MSE training pulls it towards the teacher.</summary>
[TestClass]
public sealed partial class EncoderDistillationTests
{
    private static string _teacherFolder = "";

    private static readonly BertConfig TeacherConfig = new()
    {
        VocabSize = 30522, HiddenSize = 16, HeadsPerLayer = [2, 2, 2, 2], HeadSize = 8, IntermediateSize = 32, MaxPositionEmbeddings = 64,
    };

    [ClassInitialize]
    public static void WriteTeacher(TestContext context)
    {
        _teacherFolder = Path.Combine(Path.GetTempPath(), "mlnetext-tiny-teacher-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_teacherFolder);
        torch.manual_seed(11);
        using var model = new BertModel(TeacherConfig);
        OnnxBertWriter.Save(model.ToWeights(), Path.Combine(_teacherFolder, "model.onnx"));
        File.WriteAllBytes(Path.Combine(_teacherFolder, "vocab.txt"), TrainerTestData.MiniLmVocabulary);
        File.WriteAllText(Path.Combine(_teacherFolder, "config.json"), model.Config.ToJson());
    }

    [ClassCleanup]
    public static void DeleteTeacher()
    {
        if (Directory.Exists(_teacherFolder))
            Directory.Delete(_teacherFolder, recursive: true);
    }

    internal static List<float[]> Encode(MLContext ml, IDataView data, EncoderModel model)
    {
        TextEncoderTransformer transformer = ml.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            Model = model, InputColumnName = "Text", OutputColumnName = "Embedding", Normalize = false, MaxTokens = 32,
        }).Fit(data);
        using IDisposable ends = Owned.Ends(transformer);
        return ReadVectors(transformer.Transform(data), "Embedding");
    }

    internal static double MeanSquaredError(List<float[]> a, List<float[]> b) =>
        a.Zip(b, (x, y) => x.Zip(y, (p, q) => (double)(p - q) * (p - q)).Average()).Average();

    [TestMethod]
    public void AStudentOfAllLayersIsTheTeacherAndOfSomeLayersHasThoseLayers()
    {
        EncoderModel teacher = EncoderModel.Load(_teacherFolder);
        var ml = new MLContext(seed: 1);
        IDataView data = Texts(ml, TrainerTestData.StsbSentences(12));
        List<float[]> expected = Encode(ml, data, teacher);

        EncoderModel same = EncoderDistillationTrainer.CreateStudent(teacher, [0, 1, 2, 3]);
        List<float[]> actual = Encode(ml, data, same);
        Assert.IsGreaterThanOrEqualTo(0.9999, expected.Zip(actual, (a, b) => Cosine(a, b)).Min(), "all four layers reproduce the teacher");

        EncoderModel student = EncoderDistillationTrainer.CreateStudent(teacher, [0, 3]);
        Assert.AreEqual(2, student.Config.Layers);
        var graph = ModelProto.Parser.ParseFrom(student.ReadOnnxBytes());
        Assert.AreEqual(2, graph.Graph.Node.Count(n => n.OpType == "Attention"));
        BertWeights teacherWeights = OnnxBertReader.Read(Path.Combine(_teacherFolder, "model.onnx"));
        BertWeights studentWeights = OnnxBertReader.Read(new MemoryStream(student.ReadOnnxBytes()));
        CollectionAssert.AreEqual(teacherWeights.Weights["encoder.layer.3.output.dense.weight"].Data, studentWeights.Weights["encoder.layer.1.output.dense.weight"].Data,
            "student layer 1 is teacher layer 3");
        CollectionAssert.AreEqual(teacherWeights.Weights["encoder.layer.0.attention.self.query.weight"].Data, studentWeights.Weights["encoder.layer.0.attention.self.query.weight"].Data);
    }

    [TestMethod]
    public void DistillationPullsTheStudentTowardsTheTeacherAndItsResultIsServedAndQuantised()
    {
        EncoderModel teacher = EncoderModel.Load(_teacherFolder);
        var ml = new MLContext(seed: 1);
        IDataView data = Texts(ml, TrainerTestData.StsbSentences(64));
        List<float[]> target = Encode(ml, data, teacher);
        var steps = new List<TrainingProgress>();
        var options = new EncoderDistillationOptions
        {
            Teacher = teacher, StudentLayers = [1, 3], MaxTokens = 32,
            Training = new TrainingOptions { BatchSize = 16, Epochs = 3, LearningRate = 3e-3, WarmupFraction = 0 },
            Progress = new Progress<TrainingProgress>(p => { lock (steps) steps.Add(p); }),
        };
        EncoderDistillationTrainer trainer = ml.Transforms.Text.DistillEncoder(options);
        CollectionAssert.AreEqual(new[] { 1, 3 }, trainer.TeacherLayers!.ToArray());
        double before = MeanSquaredError(target, Encode(ml, data, EncoderDistillationTrainer.CreateStudent(teacher, [1, 3])));

        EncoderDistillationResult result = trainer.Train(data);
        Assert.AreEqual(12, result.Training.Steps);
        double after = MeanSquaredError(target, Encode(ml, data, result.Student));
        Assert.IsLessThan(before * 0.8, after, $"MSE to the teacher before {before:G4}, after {after:G4}");
        Assert.AreEqual(2, result.Student.Config.Layers);

        EncoderQuantizationResult int8 = EncoderQuantizer.Quantize(result.Student);
        Assert.AreEqual(2, int8.Quantized.Count(q => q.ToOperator == "QAttention"), int8.ToString());
        Assert.HasCount(64, Encode(ml, data, int8.Model), "the quantised student runs");
    }

    [TestMethod]
    public void HiddenStateDistillationComparesEachStudentLayerWithItsTeacherLayerAndPullsTheStudentCloser()
    {
        EncoderModel teacher = EncoderModel.Load(_teacherFolder);
        var ml = new MLContext(seed: 1);
        IDataView data = Texts(ml, TrainerTestData.StsbSentences(64));

        // The loss is zero exactly where the student's layers are the teacher's mapped ones.
        torch.manual_seed(3);
        BertWeights weights = OnnxBertReader.Read(Path.Combine(_teacherFolder, "model.onnx"));
        using (var full = weights.CreateModel())
        using (var scope = torch.NewDisposeScope())
        {
            using var ids = torch.tensor(new long[] { 101, 2023, 2003, 1037, 3231, 102, 101, 7592, 102, 0, 0, 0 }, [2, 6]);
            using var mask = torch.tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0 }, [2, 6]);
            using var types = torch.zeros_like(ids);
            full.eval();
            torch.Tensor[] states = full.HiddenStates(ids, mask, types);
            Assert.HasCount(4, states);
            Assert.AreEqual(0.0, new MLNetExt.Trainers.Losses.HiddenStateDistillationLoss([1, 3]).Forward([states[1], states[3]], states, mask).item<float>(), 1e-9);
            Assert.IsGreaterThan(1e-4, new MLNetExt.Trainers.Losses.HiddenStateDistillationLoss([0, 3]).Forward([states[1], states[3]], states, mask).item<float>());
            using var padded = states[1].clone();
            padded[1, 4].add_(100f); // a padding position: left out
            Assert.AreEqual(0.0, new MLNetExt.Trainers.Losses.HiddenStateDistillationLoss([1]).Forward([padded], states, mask).item<float>(), 1e-9);
        }

        List<float[]> target = Encode(ml, data, teacher);
        double before = MeanSquaredError(target, Encode(ml, data, EncoderDistillationTrainer.CreateStudent(teacher, [0, 3])));
        EncoderDistillationResult result = ml.Transforms.Text.DistillEncoder(new EncoderDistillationOptions
        {
            Teacher = teacher, StudentLayers = [0, 3], MaxTokens = 32, HiddenStateWeight = 1,
            Training = new TrainingOptions { BatchSize = 16, Epochs = 3, LearningRate = 3e-3, WarmupFraction = 0 },
        }).Train(data);
        Assert.AreEqual(12, result.Training.Steps);
        double after = MeanSquaredError(target, Encode(ml, data, result.Student));
        Assert.IsLessThan(before * 0.8, after, $"MSE to the teacher before {before:G4}, after {after:G4}");
        Assert.AreEqual(2, result.Student.Config.Layers);

        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.DistillEncoder(
            new EncoderDistillationOptions { Teacher = teacher, HiddenStateWeight = -1 })).Message, "got -1");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.DistillEncoder(
            new EncoderDistillationOptions { Teacher = teacher, HiddenStateWeight = double.NaN })).Message, "HiddenStateWeight");
    }

    [TestMethod]
    public void BadLayerChoicesAndAStudentWithAnotherVocabularyAreRefusedNamingTheValue()
    {
        EncoderModel teacher = EncoderModel.Load(_teacherFolder);
        var ml = new MLContext(seed: 1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.DistillEncoder(new EncoderDistillationOptions { Teacher = teacher, StudentLayerCount = 5 }));
        StringAssert.Contains(error.Message, "got 5");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.DistillEncoder(new EncoderDistillationOptions { Teacher = teacher, StudentLayerCount = 0 })).Message, "got 0");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.DistillEncoder(new EncoderDistillationOptions { Teacher = teacher, StudentLayers = [0, 7] })).Message, "layer 7");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.DistillEncoder(new EncoderDistillationOptions { Teacher = teacher, StudentLayers = [2, 2] })).Message, "repeats");
        CollectionAssert.AreEqual(new[] { 0, 2, 3 }, new EncoderDistillationOptions { StudentLayerCount = 3 }.ResolveLayers(4).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 3, 5 }, new EncoderDistillationOptions { StudentLayerCount = 3 }.ResolveLayers(6).ToArray());

        using var folder = new MLNetExt.UnitTests.Transforms.TempFolder();
        EncoderModel otherVocabulary = TinyBertFolders.Write(folder.Combine("other"), TinyBertFolders.Config,
            OnnxBertWriter.ToBytes(TinyBertFolders.RandomWeights(TinyBertFolders.Config, seed: 3)));
        var mismatch = Assert.Throws<ArgumentException>(() => ml.Transforms.Text.DistillEncoder(new EncoderDistillationOptions { Teacher = teacher, Student = otherVocabulary }));
        StringAssert.Contains(mismatch.Message, "vocabulary");
        StringAssert.Contains(mismatch.Message, otherVocabulary.VocabularyPath);

        IDataView numbers = ml.Data.LoadFromEnumerable(new[] { new NumberRow { Text = 1f } });
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.DistillEncoder(new EncoderDistillationOptions { Teacher = teacher, MaxTokens = 32 }).Train(numbers)).Message,
            "Schema mismatch for input column 'Text'");
    }
}
