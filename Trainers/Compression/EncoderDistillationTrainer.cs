using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using TorchSharp;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms.Schema;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// Layer dropping with distillation: a student encoder made of a subset of the teacher's layers (or a given smaller
/// encoder with the teacher's vocabulary) learns to reproduce the teacher's sentence embeddings on unlabelled text,
/// with the mean squared error of <see cref="EmbeddingDistillationLoss"/> (the recipe of Sanh et al. 2019's layer
/// initialisation and Reimers and Gurevych 2020's embedding distillation). The teacher encodes the text once with
/// ONNX Runtime; the student trains in TorchSharp through the shared training loop (progress, cancellation,
/// checkpoints and resume); its weights go back to ONNX, and the fitted transformer is an <c>EncodeText</c>
/// <see cref="TextEncoderTransformer"/> over the student.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input column</term><description>One text column (String), unlabelled.</description></item>
/// <item><term>Output column</term><description>The student's sentence vector (known-size vector of Single), as <c>EncodeText</c> writes it.</description></item>
/// <item><term>Needs training</term><description>Yes.</description></item>
/// <item><term>Saved by</term><description><c>mlContext.Model.SaveWithEncoders</c>, or <see cref="EncoderModel.Save"/> on
/// <see cref="EncoderDistillationResult.Student"/> as a Hugging Face-layout folder.</description></item>
/// </list>
/// Created by <c>mlContext.Transforms.Text.DistillEncoder(...)</c>; see Samples/EncoderCompressionSample.cs.
/// </remarks>
public sealed class EncoderDistillationTrainer : IEstimator<TextEncoderTransformer>
{
    internal const string TeacherColumn = "TeacherEmbedding";

    private readonly TransformsCatalog.TextTransforms _catalog;
    private readonly IHostEnvironment _host;
    private readonly EncoderDistillationOptions _options;

    internal EncoderDistillationTrainer(TransformsCatalog.TextTransforms catalog, IHostEnvironment host, EncoderDistillationOptions options)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _host = host ?? throw new ArgumentNullException(nameof(host));
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _options.Validate();
        Teacher = _options.Teacher ?? PretrainedEncoders.Load(PretrainedEncoders.MiniLM.Name);
        if (_options.Student is null)
            TeacherLayers = _options.ResolveLayers(Teacher.Config.Layers);
        else
            CheckStudent(Teacher, _options.Student);
        Teacher.Config.ResolveMaxTokens(_options.MaxTokens, nameof(_options.MaxTokens));
    }

    /// <summary>The teacher.</summary>
    public EncoderModel Teacher { get; }

    /// <summary>The teacher layers the student starts from (null when a student model was given).</summary>
    public IReadOnlyList<int>? TeacherLayers { get; }

    private TextEncoderOptions EncodeOptions(EncoderModel model) => new()
    {
        Model = model, InputColumnName = _options.TextColumnName, OutputColumnName = _options.OutputColumnName,
    };

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return _catalog.EncodeText(EncodeOptions(Teacher)).GetOutputSchema(inputSchema);
    }

    /// <summary>Trains on <paramref name="input"/>; see <see cref="Fit(IDataView, CancellationToken)"/>.</summary>
    public TextEncoderTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Trains the student on <paramref name="input"/> and returns it as an <c>EncodeText</c> transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing or not text.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (a checkpoint is written first when checkpointing is on).</exception>
    public TextEncoderTransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        EncoderDistillationResult result = Train(input, cancellationToken);
        return _catalog.EncodeText(EncodeOptions(result.Student)).Fit(input);
    }

    /// <summary>Trains the student on the text of <paramref name="input"/> and returns it with the run's figures.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing or not text.</exception>
    /// <exception cref="InvalidDataException">The teacher's graph is not a BERT-family encoder that can be read as weights.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (a checkpoint is written first when checkpointing is on).</exception>
    public EncoderDistillationResult Train(IDataView input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShapeFactory.Create(input.Schema));
        EncoderModel student = _options.Student ?? CreateStudent(Teacher, TeacherLayers!);

        using (IChannel channel = _host.Start(nameof(EncoderDistillationTrainer)))
        {
            channel.Info(MessageSensitivity.None, TeacherLayers is null
                ? $"Distilling {Teacher.Name} into {student.Name} on '{_options.TextColumnName}'."
                : $"Distilling {Teacher.Name} into a {TeacherLayers.Count}-layer student (teacher layers {string.Join(", ", TeacherLayers)}) on '{_options.TextColumnName}'.");
        }

        if (_options.HiddenStateWeight > 0 || _options.AttentionWeight > 0)
            return TrainOnHiddenStates(input, student, cancellationToken);
        TextEncoderTransformer teacher = FitTeacher(_catalog, Teacher, _options.TextColumnName, _options.MaxTokens, input);
        try
        {
            IDataView withTeacher = teacher.Transform(input, cancellationToken);
            var trainer = new SentenceEncoderTrainer(_catalog, _host, new SentenceEncoderTrainingOptions
            {
                Model = student, Loss = new EmbeddingDistillationLoss(), TextColumnNames = [_options.TextColumnName], TargetColumnName = TeacherColumn,
                OutputColumnName = _options.OutputColumnName, Pooling = Teacher.Config.Pooling, MaxTokens = _options.MaxTokens,
                Evaluators = _options.Evaluators, Training = _options.Training, Progress = _options.Progress,
            });
            SentenceEncoderTrainingResult trained = trainer.Train(withTeacher, cancellationToken);
            return new EncoderDistillationResult(trained.Model, Teacher, TeacherLayers, trained.Training);
        }
        finally
        {
            teacher.Dispose(); // an IOwnedTransformer: its owner ends it
        }
    }

    // The teacher in TorchSharp beside the student: the embedding MSE plus the hidden-state MSE and the attention KL of mapped layers.
    private EncoderDistillationResult TrainOnHiddenStates(IDataView input, EncoderModel student, CancellationToken cancellationToken)
    {
        EncoderTokenizer tokenizer = EncoderTokenizer.Create(student, _options.MaxTokens);
        TokenizedText[] rows = HiddenStateDistillationTask.ReadRows(input, _options.TextColumnName, tokenizer);
        IReadOnlyList<int> mapped = TeacherLayers
            ?? new EncoderDistillationOptions { StudentLayerCount = student.Config.Layers }.ResolveLayers(Teacher.Config.Layers);
        BertWeights studentWeights = ReadWeights(student), teacherWeights = ReadWeights(Teacher);
        if (_options.AttentionWeight > 0)
            CheckHeads(teacherWeights.Config.HeadsPerLayer, studentWeights.Config.HeadsPerLayer, mapped);
        torch.manual_seed(_options.Training.Seed);
        using var model = new SentenceEmbeddingModel(studentWeights.CreateModel(), Teacher.Config.Pooling);
        using var task = new HiddenStateDistillationTask(model, teacherWeights.CreateModel(), mapped, _options.HiddenStateWeight, _options.AttentionWeight, tokenizer, rows, _options.Evaluators);
        TrainingResult training = EncoderTraining.Run(_host, nameof(EncoderDistillationTrainer),
            $"Distilling with hidden states (weight {_options.HiddenStateWeight}) and attention maps (weight {_options.AttentionWeight}), student layers -> teacher layers {string.Join(", ", mapped)}, on {rows.Length} rows.",
            _options.Training, task, _options.Progress, cancellationToken);
        byte[] graph = OnnxBertWriter.ToBytes(model.Encoder.ToWeights(), style: OnnxGraphStyle.OnnxRuntimeFused);
        EncoderModel trained = student.WithGraph(graph, "distilled on hidden states").WithConfig(student.Config with { Pooling = Teacher.Config.Pooling });
        return new EncoderDistillationResult(trained, Teacher, TeacherLayers, training);
    }

    /// <summary>The student made of <paramref name="layers"/> of the teacher (embeddings shared), as an encoder over a fused graph.</summary>
    /// <exception cref="InvalidDataException">The teacher's graph is not a BERT-family encoder that can be read as weights.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A layer index is out of range or repeated.</exception>
    public static EncoderModel CreateStudent(EncoderModel teacher, IReadOnlyList<int> layers)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(layers);
        BertWeights weights = ReadWeights(teacher);
        BertWeights kept = weights.KeepLayers(layers);
        byte[] graph = OnnxBertWriter.ToBytes(kept, style: OnnxGraphStyle.OnnxRuntimeFused);
        return teacher.WithGraph(graph, $"teacher layers {string.Join(",", layers)}")
            .WithConfig(teacher.Config with
            {
                Name = $"{teacher.Name}-L{layers.Count}",
                Layers = layers.Count,
                Source = $"{layers.Count} of the {weights.Config.LayerCount} layers of {teacher.Name} ({string.Join(", ", layers)})",
            });
    }

    /// <summary>The teacher as an <c>EncodeText</c> transformer writing its unnormalised pooled vectors (what a student's forward pass returns) to <see cref="TeacherColumn"/>.</summary>
    internal static TextEncoderTransformer FitTeacher(TransformsCatalog.TextTransforms catalog, EncoderModel teacher, string textColumn, int maxTokens, IDataView input) =>
        catalog.EncodeText(new TextEncoderOptions
        {
            Model = teacher, InputColumnName = textColumn, OutputColumnName = TeacherColumn, Normalize = false, MaxTokens = maxTokens,
        }).Fit(input);

    internal static BertWeights ReadWeights(EncoderModel model)
    {
        if (!string.Equals(model.Config.ModelType, "bert", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{model.OnnxPath}: model_type is '{model.Config.ModelType}'; compression reads BERT-family ('bert') encoders only.");
        try
        {
            return OnnxBertReader.Read(new MemoryStream(model.ReadOnnxBytes(), writable: false), model.OnnxPath);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{model.OnnxPath}: not a recognised encoder graph for compression. {e.Message}", e);
        }
    }

    /// <summary>Attention maps are compared head by head, so each student layer needs its teacher layer's head count.</summary>
    internal static void CheckHeads(IReadOnlyList<int> teacherHeads, IReadOnlyList<int> studentHeads, IReadOnlyList<int> mapped)
    {
        for (int i = 0; i < mapped.Count; i++)
            if (studentHeads[i] != teacherHeads[mapped[i]])
                throw new ArgumentException(
                    $"Student layer {i} has {studentHeads[i]} attention heads, the teacher layer {mapped[i]} it stands for has {teacherHeads[mapped[i]]}; AttentionWeight needs the same heads (set it to 0).",
                    nameof(EncoderDistillationOptions.AttentionWeight));
    }

    /// <summary>A given student must share the teacher's vocabulary and width: it reads the same word pieces and learns the same vectors.</summary>
    internal static void CheckStudent(EncoderModel teacher, EncoderModel student)
    {
        if (!teacher.ReadVocabularyText().AsSpan().SequenceEqual(student.ReadVocabularyText()))
            throw new ArgumentException(
                $"The student's vocabulary ({student.VocabularyPath}, {student.Config.VocabSize} tokens) differs from the teacher's ({teacher.VocabularyPath}, {teacher.Config.VocabSize} tokens); distillation needs the same word pieces.",
                nameof(EncoderDistillationOptions.Student));
        if (student.Config.HiddenSize != teacher.Config.HiddenSize)
            throw new ArgumentException(
                $"The student's hidden size is {student.Config.HiddenSize}, the teacher's {teacher.Config.HiddenSize}; the embedding MSE needs the same width.",
                nameof(EncoderDistillationOptions.Student));
        if (student.Config.LowerCase != teacher.Config.LowerCase)
            throw new ArgumentException(
                $"The student lower-cases text: {student.Config.LowerCase}, the teacher: {teacher.Config.LowerCase}; distillation needs the same tokenisation.",
                nameof(EncoderDistillationOptions.Student));
    }
}
