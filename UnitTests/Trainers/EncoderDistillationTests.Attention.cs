using Microsoft.ML;
using MLNetExt.Trainers.Compression;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using TorchSharp;
using static MLNetExt.UnitTests.Transforms.EncoderTestModels;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>The attention-map term of distillation (KL between the teacher's and the student's attention distributions).</summary>
public sealed partial class EncoderDistillationTests
{
    [TestMethod]
    public void AttentionMapLossIsZeroForTheSameMapsPositiveOtherwiseAndIgnoresPadding()
    {
        BertWeights weights = OnnxBertReader.Read(Path.Combine(_teacherFolder, "model.onnx"));
        using BertModel full = weights.CreateModel();
        full.eval();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        torch.Tensor ids = torch.tensor(new long[] { 101, 2023, 2003, 1037, 3231, 102, 101, 7592, 102, 0, 0, 0 }, [2, 6]);
        torch.Tensor mask = torch.tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0 }, [2, 6]);
        (torch.Tensor[] states, torch.Tensor[] maps) = full.HiddenStates(ids, mask, torch.zeros_like(ids), [0, 1, 2, 3]);
        Assert.HasCount(4, states);
        CollectionAssert.AreEqual(new long[] { 2, 2, 6, 6 }, maps[1].shape, "[batch, heads, query, key]");

        // Distributions over keys: each row sums to 1, padding keys get nothing.
        torch.Tensor probabilities = maps[2].exp();
        Assert.AreEqual(1.0, probabilities.sum(-1).min().item<float>(), 1e-5);
        Assert.AreEqual(0.0, probabilities.select(0, 1).narrow(2, 3, 3).abs().max().item<float>(), 1e-12, "the second row's last three tokens are padding");
        // The map is what the layer attends with: its average over the values reproduces the layer's attention output.
        BertSelfAttention attention = full.Layers[0].Attention.SelfAttention;
        torch.Tensor input = full.Embeddings.FromWordEmbeddings(full.Embeddings.WordEmbeddings(ids), torch.zeros_like(ids));
        torch.Tensor additive = (1.0f - mask.to_type(torch.ScalarType.Float32)).mul(BertConfig.MaskedAttentionScore).unsqueeze(1).unsqueeze(1);
        torch.Tensor values = ValueProjection(weights, 0, input).view(2, 6, 2, 8).transpose(1, 2);
        torch.Tensor expected = attention.forward(input, additive);
        torch.Tensor actual = torch.matmul(attention.AttentionLogProbabilities(input, additive).exp(), values).transpose(1, 2).reshape(2, 6, 16);
        Assert.AreEqual(0.0, (expected - actual).abs().max().item<float>(), 1e-5);

        Assert.AreEqual(0.0, AttentionDistillationLoss.Forward([maps[1], maps[3]], [maps[1], maps[3]], mask).item<float>(), 1e-9);
        Assert.IsGreaterThan(1e-4, AttentionDistillationLoss.Forward([maps[0], maps[3]], [maps[1], maps[3]], mask).item<float>());

        torch.Tensor padded = maps[1].clone();
        padded.select(0, 1).select(1, 4).add_(50f); // a padding query
        padded.select(0, 1).select(1, 0).select(1, 5).add_(50f); // a padding key of a real query
        Assert.AreEqual(0.0, AttentionDistillationLoss.Forward([padded], [maps[1]], mask).item<float>(), 1e-9, "padding is left out");

        var differentHeads = Assert.Throws<ArgumentException>(() => AttentionDistillationLoss.Forward([maps[1].narrow(1, 0, 1)], [maps[1]], mask));
        StringAssert.Contains(differentHeads.Message, "[2, 1, 6, 6]");
    }

    [TestMethod]
    public void AttentionMapDistillationPullsTheStudentsAttentionTowardsTheTeachersAndBadWeightsAreNamed()
    {
        EncoderModel teacher = EncoderModel.Load(_teacherFolder);
        var ml = new MLContext(seed: 1);
        string[] texts = TrainerTestData.StsbSentences(64);
        IDataView data = Texts(ml, texts);
        using BertModel teacherModel = OnnxBertReader.Read(Path.Combine(_teacherFolder, "model.onnx")).CreateModel();
        teacherModel.eval();

        double before = AttentionDivergence(EncoderDistillationTrainer.CreateStudent(teacher, [0, 3]), teacherModel, [0, 3], texts);
        EncoderDistillationResult result = ml.Transforms.Text.DistillEncoder(new EncoderDistillationOptions
        {
            Teacher = teacher, StudentLayers = [0, 3], MaxTokens = 32, AttentionWeight = 1,
            Training = new TrainingOptions { BatchSize = 16, Epochs = 3, LearningRate = 3e-3, WarmupFraction = 0 },
        }).Train(data);
        Assert.AreEqual(12, result.Training.Steps);
        double after = AttentionDivergence(result.Student, teacherModel, [0, 3], texts);
        Assert.IsGreaterThan(1e-3, before, "student layer 1 (teacher layer 3) reads another input than teacher layer 3 did");
        Assert.IsLessThan(before * 0.8, after, $"attention KL to the teacher before {before:G4}, after {after:G4}");

        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.DistillEncoder(
            new EncoderDistillationOptions { Teacher = teacher, AttentionWeight = -1 })).Message, "AttentionWeight must be a non-negative number; got -1");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.DistillEncoder(
            new EncoderDistillationOptions { Teacher = teacher, AttentionWeight = double.PositiveInfinity })).Message, "AttentionWeight");
        var heads = Assert.Throws<ArgumentException>(() => EncoderDistillationTrainer.CheckHeads([2, 2, 2, 2], [2, 1], [0, 3]));
        StringAssert.Contains(heads.Message, "Student layer 1 has 1 attention heads, the teacher layer 3 it stands for has 2");
    }

    // The mean over the batch of the attention KL between student layer i and teacher layer mapped[i].
    private static double AttentionDivergence(EncoderModel student, BertModel teacher, IReadOnlyList<int> mapped, string[] texts)
    {
        EncoderTokenizer tokenizer = EncoderTokenizer.Create(student, 32);
        using EncoderInputs inputs = EncoderInputs.From(TokenizedBatch.Pad(texts.Select(t => tokenizer.Tokenize(t.AsSpan())).ToArray()));
        using BertModel model = OnnxBertReader.Read(new MemoryStream(student.ReadOnnxBytes())).CreateModel();
        model.eval();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        torch.Tensor[] studentMaps = model.HiddenStates(inputs.InputIds, inputs.AttentionMask, inputs.TokenTypeIds, Enumerable.Range(0, mapped.Count).ToArray()).Attention;
        torch.Tensor[] teacherMaps = teacher.HiddenStates(inputs.InputIds, inputs.AttentionMask, inputs.TokenTypeIds, mapped).Attention;
        return AttentionDistillationLoss.Forward(studentMaps, teacherMaps, inputs.AttentionMask).item<float>();
    }

    // Layer l's value projection applied to input, from the plain weights ([out, in] as PyTorch stores a Linear).
    private static torch.Tensor ValueProjection(BertWeights weights, int layer, torch.Tensor input)
    {
        (float[] w, long[] wShape) = weights.Weights[$"encoder.layer.{layer}.attention.self.value.weight"];
        (float[] b, long[] bShape) = weights.Weights[$"encoder.layer.{layer}.attention.self.value.bias"];
        return torch.nn.functional.linear(input, torch.tensor(w, wShape), torch.tensor(b, bShape));
    }
}
