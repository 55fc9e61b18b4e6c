using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using TorchSharp;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// Layer dropping with distillation for a fine-tuned classifier or regressor (from <c>EncoderTextClassification</c> /
/// <c>EncoderSentenceSimilarity</c>): the student is the teacher's embeddings, a subset of its layers and its head
/// (pooling and linear layer copied), or a given smaller encoder of the same vocabulary under the teacher's head; it
/// learns from the teacher's outputs on the task's text (Hinton et al. 2015: KL divergence between the class
/// distributions softened by a temperature; the layer initialisation of Sanh et al. 2019's DistilBERT), optionally mixed
/// with the task loss and with TinyBERT's hidden-state MSE of mapped layers. With distillation alone no labels are
/// needed: any text in the model's columns works. Training goes through the shared loop (progress, cancellation,
/// checkpoints and resume, length buckets); the result is a fine-tuned model like the input, with fewer layers.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>The columns the teacher reads (sentence, optional second sentence); the label
/// (key for a classifier, Single for a regressor) only when <see cref="ClassifierDistillationOptions.DistillationWeight"/> is below 1.</description></item>
/// <item><term>Output columns</term><description>As the teacher: Score and, for classification, PredictedLabel.</description></item>
/// <item><term>Needs training</term><description>Yes.</description></item>
/// <item><term>Exportable to ONNX</term><description>Yes (<see cref="EncoderFineTuningTransformer.ExportOnnx"/>, fused kernels); saved with
/// <see cref="EncoderFineTuningTransformer.Save"/> or <c>SaveWithEncoders</c>; int8 through <see cref="EncoderFineTuningTransformer.WithRuntime"/>.</description></item>
/// </list>
/// Created by <c>mlContext.MulticlassClassification.Trainers.DistillClassifier(model, options)</c> (or
/// <c>mlContext.Regression.Trainers.DistillRegressor</c>); see Samples/ClassifierDistillationSample.cs.
/// </remarks>
public sealed class ClassifierDistillationTrainer : IEstimator<EncoderFineTuningTransformer>
{
    private readonly FineTunedModelRetraining _retraining;
    private readonly ClassifierDistillationOptions _options;

    internal ClassifierDistillationTrainer(IHostEnvironment host, EncoderFineTuningTransformer teacher, ClassifierDistillationOptions options)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _options.Validate();
        _retraining = new FineTunedModelRetraining(host, teacher, _options.LabelColumnName, teacher.Source);
        if (teacher.TokenKeep is { } schedule)
            throw new ArgumentException($"{teacher.Source} serves token pruning ({schedule}); distil the model before token pruning it.", nameof(teacher));
        int teacherLayers = _retraining.Weights.Config.LayerCount;
        if (_options.Student is { } student)
        {
            CheckStudent(student);
            MappedLayers = EncoderDistillationOptions.ResolveLayers(null, student.Config.Layers, teacherLayers);
        }
        else
        {
            TeacherLayers = _options.ResolveLayers(teacherLayers);
            MappedLayers = TeacherLayers;
        }
    }

    /// <summary>The teacher.</summary>
    public EncoderFineTuningTransformer Teacher => _retraining.Model;

    /// <summary>The teacher layers the student is made of (null when a student encoder was given).</summary>
    public IReadOnlyList<int>? TeacherLayers { get; }

    /// <summary>The teacher layer each student layer stands for (for the hidden-state term).</summary>
    internal IReadOnlyList<int> MappedLayers { get; }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _retraining.GetOutputSchema(inputSchema, _options.NeedsLabels);

    /// <summary>Distils on <paramref name="input"/>; see <see cref="Fit(IDataView, CancellationToken)"/>.</summary>
    public EncoderFineTuningTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Trains the student on the rows of <paramref name="input"/> and returns it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (a checkpoint is written first when checkpointing is on).</exception>
    public EncoderFineTuningTransformer Fit(IDataView input, CancellationToken cancellationToken) => Train(input, cancellationToken).Student;

    /// <summary>Trains the student on the rows of <paramref name="input"/> and returns it with the run's figures.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (a checkpoint is written first when checkpointing is on).</exception>
    public ClassifierDistillationResult Train(IDataView input, CancellationToken cancellationToken = default) =>
        Train(_retraining.ReadRows(input, _options.NeedsLabels), cancellationToken);

    /// <summary>
    /// The student before training: the teacher's embeddings, the chosen layers and the teacher's head (or the given
    /// student encoder under the teacher's head), served as a fine-tuned model. The caller disposes it.
    /// </summary>
    public EncoderFineTuningTransformer CreateStudent()
    {
        using SequenceClassifier student = StudentClassifier();
        return Export(student, "untrained student", null);
    }

    internal ClassifierDistillationResult Train(FineTuningRows rows, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        TrainingOptions training = _options.Training;
        torch.manual_seed(training.Seed);
        EncoderFineTuningTransformer teacherModel = _retraining.Model;
        using SequenceClassifier student = StudentClassifier();
        using SequenceClassifier teacher = FineTunedClassifierGraph.CreateTeacher(teacherModel, _retraining.Weights, _retraining.Head);
        var task = new ClassifierDistillationTask(student, teacher, teacherModel.Kind, rows, _options.DistillationWeight, _options.Temperature,
            MappedLayers, _options.HiddenStateWeight);
        string layers = TeacherLayers is null ? $"{_options.Student!.Name} ({student.Encoder.Config.LayerCount} layers)" : $"teacher layers {string.Join(",", TeacherLayers)}";
        TrainingResult result = ReportedTraining.Run(_retraining.Host, nameof(ClassifierDistillationTrainer), "Classifier distillation",
            $"Distilling {teacherModel.Source} into {layers} on {rows.Rows.Count} rows: distillation weight {_options.DistillationWeight} at T = {_options.Temperature}"
            + (_options.HiddenStateWeight > 0 ? $", hidden-state weight {_options.HiddenStateWeight} (student layers -> teacher layers {string.Join(", ", MappedLayers)})." : "."),
            training, task, _options.Progress, cancellationToken);
        EncoderFineTuningTransformer model = Export(student, $"{layers}, distilled", result);
        return new ClassifierDistillationResult(model, TeacherLayers, MappedLayers, result, clock.Elapsed.TotalSeconds);
    }

    private SequenceClassifier StudentClassifier()
    {
        BertWeights weights = _options.Student is { } given ? EncoderDistillationTrainer.ReadWeights(given) : _retraining.Weights.KeepLayers(TeacherLayers!);
        return FineTunedClassifierGraph.CreateClassifier(_retraining.Model, weights, _retraining.Head);
    }

    private EncoderFineTuningTransformer Export(SequenceClassifier student, string description, TrainingResult? training) =>
        _retraining.Serve(OnnxBertWriter.ToBytes(student.Encoder.ToWeights(), student.ExportHead(), OnnxGraphStyle.OnnxRuntimeFused), description, training);

    // A given student reads the same word pieces as the teacher, carries the teacher's head and serves its token limit.
    private void CheckStudent(EncoderModel student)
    {
        if (student.Config.Layers > _retraining.Weights.Config.LayerCount)
            throw new ArgumentException(
                $"The student has {student.Config.Layers} layers, the teacher {_retraining.Weights.Config.LayerCount}; a student has at most the teacher's layers.",
                nameof(ClassifierDistillationOptions.Student));
        if (student.Config.HiddenSize != _retraining.Weights.Config.HiddenSize)
            throw new ArgumentException(
                $"The student's hidden size is {student.Config.HiddenSize}, the teacher's {_retraining.Weights.Config.HiddenSize}; the teacher's head needs the same width.",
                nameof(ClassifierDistillationOptions.Student));
        EncoderDistillationTrainer.CheckStudent(Teacher.Serving.Model, student);
        if (student.Config.MaxPositionEmbeddings < Teacher.Info.MaxTokens)
            throw new ArgumentException(
                $"The student has {student.Config.MaxPositionEmbeddings} positions; the teacher reads up to {Teacher.Info.MaxTokens} tokens.",
                nameof(ClassifierDistillationOptions.Student));
    }
}
