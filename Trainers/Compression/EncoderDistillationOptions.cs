using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Compression;

/// <summary>Options of <c>mlContext.Transforms.Text.DistillEncoder</c> (<see cref="EncoderDistillationTrainer"/>).</summary>
public sealed class EncoderDistillationOptions
{
    /// <summary>The teacher; null means all-MiniLM-L6-v2 (<see cref="PretrainedEncoders.MiniLM"/>).</summary>
    public EncoderModel? Teacher { get; set; }

    /// <summary>
    /// A student to train instead of one made from the teacher's layers (any BERT-family encoder of the teacher's
    /// hidden size and vocabulary); null (the default) builds it from <see cref="StudentLayers"/> or <see cref="StudentLayerCount"/>.
    /// </summary>
    public EncoderModel? Student { get; set; }

    /// <summary>
    /// The teacher's layers (0-based, in order) the student starts from, e.g. <c>[0, 3, 5]</c>; null to spread
    /// <see cref="StudentLayerCount"/> layers evenly from the first to the last.
    /// </summary>
    public IReadOnlyList<int>? StudentLayers { get; set; }

    /// <summary>Layers of the student when <see cref="StudentLayers"/> is null: 1 to the teacher's layer count. Default 3.</summary>
    public int StudentLayerCount { get; set; } = 3;

    /// <summary>The column of unlabelled text (String) the student learns from. Default <c>Text</c>.</summary>
    public string TextColumnName { get; set; } = "Text";

    /// <summary>Output column of the fitted <c>EncodeText</c> transformer (vector of Single). Default <c>Embedding</c>.</summary>
    public string OutputColumnName { get; set; } = "Embedding";

    /// <summary>Longest input in tokens, special tokens included, for teacher and student while training. Default 128.</summary>
    public int MaxTokens { get; set; } = 128;

    /// <summary>
    /// Weight of the hidden-state term (TinyBERT's): the mean squared error between each student layer's output and the
    /// output of the teacher layer it stands for (the layer it was made from; for a given <see cref="Student"/>, layers
    /// spread evenly from the first to the last), over real tokens, added to the embedding MSE. The teacher then runs in
    /// TorchSharp beside the student, so a step costs about one teacher forward pass more. 0 (the default): the
    /// embedding MSE alone, with the teacher's vectors computed once by ONNX Runtime.
    /// </summary>
    public double HiddenStateWeight { get; set; }

    /// <summary>
    /// Weight of the attention-map term (MiniLM's attention transfer, on every mapped layer as TinyBERT maps them): the
    /// Kullback-Leibler divergence from the attention distribution of each head of the teacher layer to that of the same
    /// head in the student layer standing for it, over real tokens, averaged over heads, tokens and layers, added to the
    /// embedding MSE (and the hidden-state term). Mapped layers must have the same number of heads. Like
    /// <see cref="HiddenStateWeight"/>, it runs the teacher in TorchSharp beside the student. 0 (the default): no attention term.
    /// </summary>
    public double AttentionWeight { get; set; }

    /// <summary>
    /// Evaluations of the student during training (e.g. <see cref="StsTrainingEvaluator"/>); the first one's primary metric
    /// decides early stopping and which step's weights are kept (see <see cref="SentenceEncoderTrainingOptions.Evaluators"/>). Empty by default.
    /// </summary>
    public IReadOnlyList<SentenceEncoderEvaluator> Evaluators { get; set; } = [];

    /// <summary>
    /// The optimisation loop (batch, epochs, learning rate, warmup, seed, threads, evaluation, checkpoints and resume).
    /// Defaults here: batch 32, 1 epoch, learning rate 1e-4 (sentence-transformers' distillation example).
    /// </summary>
    public TrainingOptions Training { get; set; } = new() { BatchSize = 32, Epochs = 1, LearningRate = 1e-4 };

    /// <summary>Receives a report after every step.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>A copy whose <see cref="Training"/> options and layer list are copied too.</summary>
    public EncoderDistillationOptions Clone()
    {
        var copy = (EncoderDistillationOptions)MemberwiseClone();
        copy.Training = Training.Clone();
        copy.StudentLayers = StudentLayers?.ToArray();
        copy.Evaluators = Evaluators.ToArray();
        return copy;
    }

    /// <summary>
    /// The teacher layers the student starts from: <see cref="StudentLayers"/> checked against the teacher's
    /// <paramref name="teacherLayers"/>, or <see cref="StudentLayerCount"/> spread evenly (first and last included).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A layer or the count is out of range; the message names the value.</exception>
    public IReadOnlyList<int> ResolveLayers(int teacherLayers) => ResolveLayers(StudentLayers, StudentLayerCount, teacherLayers);

    /// <summary>
    /// <paramref name="layers"/> checked against the teacher's <paramref name="teacherLayers"/> (none out of range or
    /// repeated, at least one), or <paramref name="count"/> layers spread evenly, first and last included; the messages
    /// name <c>StudentLayers</c> / <c>StudentLayerCount</c>, the options of every layer-dropping trainer.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A layer or the count is out of range; the message names the value.</exception>
    internal static IReadOnlyList<int> ResolveLayers(IReadOnlyList<int>? layers, int count, int teacherLayers)
    {
        if (layers is not null)
        {
            if (layers.Count == 0)
                throw new ArgumentOutOfRangeException(nameof(StudentLayers), "StudentLayers is empty; keep at least one layer.");
            foreach (int layer in layers)
                if (layer < 0 || layer >= teacherLayers)
                    throw new ArgumentOutOfRangeException(nameof(StudentLayers), layer, $"StudentLayers names layer {layer}; the teacher has layers 0 to {teacherLayers - 1}.");
            if (layers.Distinct().Count() != layers.Count)
                throw new ArgumentOutOfRangeException(nameof(StudentLayers), string.Join(", ", layers), $"StudentLayers repeats a layer: {string.Join(", ", layers)}.");
            return layers.ToArray();
        }
        if (count < 1 || count > teacherLayers)
            throw new ArgumentOutOfRangeException(nameof(StudentLayerCount), count,
                $"StudentLayerCount must be 1 to {teacherLayers} (the teacher's layers); got {count}.");
        if (count == 1)
            return [teacherLayers - 1];
        return Enumerable.Range(0, count)
            .Select(i => (int)Math.Round(i * (teacherLayers - 1) / (double)(count - 1), MidpointRounding.AwayFromZero)).ToArray();
    }

    /// <summary>Checks the settings that do not depend on the teacher; throws naming the bad one.</summary>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(TextColumnName, nameof(TextColumnName));
        ArgumentException.ThrowIfNullOrEmpty(OutputColumnName, nameof(OutputColumnName));
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        Training.Validate();
        if (MaxTokens < 3)
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, $"MaxTokens must be at least 3 ([CLS], one word piece, [SEP]); got {MaxTokens}.");
        if (!(HiddenStateWeight >= 0) || double.IsInfinity(HiddenStateWeight))
            throw new ArgumentOutOfRangeException(nameof(HiddenStateWeight), HiddenStateWeight, $"HiddenStateWeight must be a non-negative number; got {HiddenStateWeight}.");
        if (!(AttentionWeight >= 0) || double.IsInfinity(AttentionWeight))
            throw new ArgumentOutOfRangeException(nameof(AttentionWeight), AttentionWeight, $"AttentionWeight must be a non-negative number; got {AttentionWeight}.");
        if (Student is not null && StudentLayers is not null)
            throw new ArgumentOutOfRangeException(nameof(StudentLayers), string.Join(", ", StudentLayers), "Give either a Student model or StudentLayers, not both.");
    }
}
