using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms.Onnx;
using MLNetExt.UnitTests.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>A tiny randomly initialised classifier on real SST-2 rows: seconds to train, enough to test the loop.</summary>
internal static class TinyFineTuning
{
    public static readonly BertConfig Config = WithDropout(0.1);

    private static BertConfig WithDropout(double dropout) => new()
    {
        VocabSize = 30522, HiddenSize = 16, HeadsPerLayer = [2], HeadSize = 8, IntermediateSize = 32, MaxPositionEmbeddings = 64,
        HiddenDropout = dropout, AttentionDropout = dropout,
    };

    /// <summary>Writes a tiny random encoder (<see cref="Config"/>, MiniLM's vocabulary) as a Hugging Face-layout folder; returns it.</summary>
    public static string WriteEncoderFolder(string name, int seed)
    {
        string folder = Path.Combine(Path.GetTempPath(), name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        torch.manual_seed(seed);
        using var model = new BertModel(Config);
        OnnxBertWriter.Save(model.ToWeights(), Path.Combine(folder, "model.onnx"));
        File.WriteAllBytes(Path.Combine(folder, "vocab.txt"), TrainerTestData.MiniLmVocabulary);
        File.WriteAllText(Path.Combine(folder, "config.json"), model.Config.ToJson());
        return folder;
    }

    public static FineTuningTask Create(int modelSeed, int trainRows = 48, int validationRows = 32, double dropout = 0.1)
    {
        EncoderTokenizer tokenizer = TrainerTestData.Tokenizer(32);
        string folder = SharedData.Require("sst2");
        FineTuningRows Read(string file, int count) => ToRows(tokenizer, File.ReadLines(Path.Combine(folder, file)).Skip(1).Take(count));
        torch.manual_seed(modelSeed);
        var model = new SequenceClassifier(new BertModel(WithDropout(dropout)), 2, EncoderPooling.Mean);
        return new FineTuningTask(model, FineTuningKind.Classification, Read("train.tsv", trainRows), Read("dev.tsv", validationRows), 16);
    }

    private static FineTuningRows ToRows(EncoderTokenizer tokenizer, IEnumerable<string> lines)
    {
        var fields = lines.Select(l => l.Split('\t')).ToArray();
        return new FineTuningRows(fields.Select(f => tokenizer.Tokenize(f[0].AsSpan())).ToArray(), fields.Select(f => float.Parse(f[1])).ToArray());
    }

    public static float[] Parameters(nn.Module module) =>
        module.parameters().SelectMany(p => p.detach().contiguous().data<float>().ToArray()).ToArray();
}

/// <summary>Delegates to a task and throws, like a killed process, when a given step's batch is requested.</summary>
internal sealed class CrashingTask(ITrainingTask<FineTuningBatch> inner, int crashAtCall) : ITrainingTask<FineTuningBatch>
{
    private int _calls;

    public nn.Module Module => inner.Module;
    public int TrainingRowCount => inner.TrainingRowCount;
    public IReadOnlyList<int>? TrainingRowLengths => inner.TrainingRowLengths;
    public string? PrimaryMetric => inner.PrimaryMetric;
    public bool HigherIsBetter => inner.HigherIsBetter;

    public FineTuningBatch PrepareBatch(IReadOnlyList<int> rows) =>
        ++_calls == crashAtCall ? throw new IOException("simulated crash") : inner.PrepareBatch(rows);

    public Tensor Loss(FineTuningBatch batch) => inner.Loss(batch);

    public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken) => inner.Evaluate(cancellationToken);
}
