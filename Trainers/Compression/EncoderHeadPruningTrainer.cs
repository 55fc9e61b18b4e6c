using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms.Schema;
using TorchSharp;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// Importance-based attention-head pruning of a sentence encoder (Michel, Levy and Neubig 2019, "Are Sixteen Heads
/// Really Better than One?"): every head's importance is the gradient magnitude of a loss with respect to a mask on
/// its output, accumulated over batches of unlabelled text (<see cref="HeadImportance"/>); the loss is the mean squared
/// error between the encoder's sentence embeddings and the unpruned teacher's (<see cref="EmbeddingDistillationLoss"/>).
/// The least important heads overall are removed (one global ranking, at least one head per layer): their rows of the
/// query, key and value projections and their columns of the output projection are cut out of the weights
/// (<see cref="BertWeights.KeepHeads"/>), so the exported graph is narrower. A short recovery fine-tune towards the
/// teacher's embeddings follows, through the shared training loop (progress, cancellation, checkpoints and resume).
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input column</term><description>One text column (String), unlabelled.</description></item>
/// <item><term>Output column</term><description>The pruned encoder's sentence vector (known-size vector of Single), as <c>EncodeText</c> writes it.</description></item>
/// <item><term>Needs training</term><description>Yes (importance scoring, then the recovery fine-tune).</description></item>
/// <item><term>Saved by</term><description><c>mlContext.Model.SaveWithEncoders</c>, or <see cref="EncoderModel.Save"/> on
/// <see cref="EncoderHeadPruningResult.Pruned"/> as a Hugging Face-layout folder.</description></item>
/// </list>
/// Created by <c>mlContext.Transforms.Text.PruneEncoderHeads(...)</c>; see Samples/EncoderCompressionSample.cs.
/// </remarks>
public sealed class EncoderHeadPruningTrainer : IEstimator<TextEncoderTransformer>
{
    private readonly TransformsCatalog.TextTransforms _catalog;
    private readonly IHostEnvironment _host;
    private readonly EncoderHeadPruningOptions _options;

    internal EncoderHeadPruningTrainer(TransformsCatalog.TextTransforms catalog, IHostEnvironment host, EncoderHeadPruningOptions options)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _host = host ?? throw new ArgumentNullException(nameof(host));
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _options.Validate();
        Model = _options.Model ?? PretrainedEncoders.Load(PretrainedEncoders.MiniLM.Name);
        Teacher = _options.Teacher ?? Model;
        if (!ReferenceEquals(Teacher, Model))
            EncoderDistillationTrainer.CheckStudent(Teacher, Model);
        Teacher.Config.ResolveMaxTokens(_options.MaxTokens, nameof(_options.MaxTokens));
    }

    /// <summary>The encoder being pruned.</summary>
    public EncoderModel Model { get; }

    /// <summary>The encoder whose embeddings are the training signal.</summary>
    public EncoderModel Teacher { get; }

    private TextEncoderOptions EncodeOptions(EncoderModel model) => new()
    {
        Model = model, InputColumnName = _options.TextColumnName, OutputColumnName = _options.OutputColumnName,
    };

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return _catalog.EncodeText(EncodeOptions(Model)).GetOutputSchema(inputSchema);
    }

    /// <summary>Prunes on <paramref name="input"/>; see <see cref="Fit(IDataView, CancellationToken)"/>.</summary>
    public TextEncoderTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Prunes and recovers the encoder on <paramref name="input"/> and returns it as an <c>EncodeText</c> transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing or not text, or the fraction leaves a layer without heads.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (during recovery a checkpoint is written first when checkpointing is on).</exception>
    public TextEncoderTransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        EncoderHeadPruningResult result = Train(input, cancellationToken);
        return _catalog.EncodeText(EncodeOptions(result.Pruned)).Fit(input);
    }

    /// <summary>Scores the heads on the text of <paramref name="input"/>, removes the least important, recovers, and returns the pruned encoder with the run's figures.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing or not text, or the fraction leaves a layer without heads.</exception>
    /// <exception cref="InvalidDataException">The encoder's graph is not a BERT-family encoder that can be read as weights.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (during recovery a checkpoint is written first when checkpointing is on).</exception>
    public EncoderHeadPruningResult Train(IDataView input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShapeFactory.Create(input.Schema));
        BertWeights weights = EncoderDistillationTrainer.ReadWeights(Model);
        // Fail on an impossible fraction before any work.
        HeadImportance.SelectHeadsToKeep(weights.Config.HeadsPerLayer.Select(h => (IReadOnlyList<float>)new float[h]).ToArray(), _options.PruneFraction);

        TextEncoderTransformer teacher = EncoderDistillationTrainer.FitTeacher(_catalog, Teacher, _options.TextColumnName, _options.MaxTokens, input);
        try
        {
            IDataView withTeacher = teacher.Transform(input, cancellationToken);
            IReadOnlyList<IReadOnlyList<float>> scores;
            IReadOnlyList<IReadOnlyList<int>> keep;
            TrainingResult? routing = null;
            BertWeights pruned;
            if (_options.Method == HeadPruningMethod.Shrp)
                (scores, keep, routing, pruned) = Route(weights, withTeacher, cancellationToken);
            else
            {
                scores = Score(weights, withTeacher, cancellationToken);
                keep = HeadImportance.SelectHeadsToKeep(scores, _options.PruneFraction);
                pruned = weights.KeepHeads(keep);
            }
            int before = weights.Config.HeadsPerLayer.Sum(), after = pruned.Config.HeadsPerLayer.Sum();
            EncoderModel model = Model.WithGraph(OnnxBertWriter.ToBytes(pruned, style: OnnxGraphStyle.OnnxRuntimeFused), $"{after} of {before} heads")
                .WithConfig(Model.Config with
                {
                    Name = $"{Model.Name}-H{after}",
                    Source = $"{Model.Name} with {after} of its {before} attention heads ({(_options.Method == HeadPruningMethod.Shrp ? "SHRP" : "importance pruning")})",
                });
            using (IChannel channel = _host.Start(nameof(EncoderHeadPruningTrainer)))
                channel.Info(MessageSensitivity.None, $"Pruned {Model.Name} ({_options.Method}): {after} of {before} heads kept (per layer {string.Join(",", keep.Select(k => k.Count))}).");

            TrainingResult? recovery = null;
            if (_options.Recover)
            {
                var trainer = new SentenceEncoderTrainer(_catalog, _host, TrainingOptions(model));
                SentenceEncoderTrainingResult trained = trainer.Train(withTeacher, cancellationToken);
                model = trained.Model.WithConfig(model.Config);
                recovery = trained.Training;
            }
            return new EncoderHeadPruningResult(model, _options.Method, scores, keep, routing, recovery);
        }
        finally
        {
            teacher.Dispose(); // an IOwnedTransformer: its owner ends it
        }
    }

    private SentenceEncoderTrainingOptions TrainingOptions(EncoderModel model) => new()
    {
        Model = model, Loss = new EmbeddingDistillationLoss(), TextColumnNames = [_options.TextColumnName], TargetColumnName = EncoderDistillationTrainer.TeacherColumn,
        OutputColumnName = _options.OutputColumnName, Pooling = Teacher.Config.Pooling, MaxTokens = _options.MaxTokens,
        Evaluators = _options.Evaluators, Training = _options.Training, Progress = _options.Progress,
    };

    // SHRP: the encoder with expanders and a Top-1 router per layer learns the teacher's embeddings; the heads the routers
    // used least fade out, and are then cut (the expanders stay in the graph).
    private (IReadOnlyList<IReadOnlyList<float>> Usage, IReadOnlyList<IReadOnlyList<int>> Kept, TrainingResult Routing, BertWeights Pruned) Route(
        BertWeights weights, IDataView withTeacher, CancellationToken cancellationToken)
    {
        (SentenceEncoderTrainingOptions options, EncoderTokenizer tokenizer, SentenceTrainingRows rows) = ReadRows(withTeacher);
        torch.manual_seed(_options.Training.Seed);
        using var model = new SentenceEmbeddingModel(ShrpSetup.ExpandedEncoder(weights, _options.Shrp.ExpanderSize), Teacher.Config.Pooling);
        (TrainingOptions loop, int steps) = ShrpSetup.RoutingLoop(_options.Training, _options.Shrp, rows.Count);
        var inner = new SentenceEncoderTask(model, options.Loss, tokenizer, rows);
        using var task = new ShrpRoutingTask<ContrastiveBatch>(model.Encoder, inner, b => b.Columns[0].AttentionMask, _options.Shrp,
            steps * Math.Max(1, _options.Training.GradientAccumulationSteps), usage => HeadImportance.SelectHeadsToKeep(usage, _options.PruneFraction));
        TrainingResult result = EncoderTraining.Run(_host, nameof(EncoderHeadPruningTrainer),
            $"Routing {weights.Config.HeadsPerLayer.Sum()} heads (experts) of {Model.Name} on {rows.Count} texts, {steps} steps.",
            loop, task, _options.Progress, cancellationToken);
        task.Finish();
        IReadOnlyList<IReadOnlyList<int>> kept = task.Kept!;
        return (task.Usage, kept, result, model.Encoder.ToWeights().KeepHeads(kept));
    }

    private (SentenceEncoderTrainingOptions Options, EncoderTokenizer Tokenizer, SentenceTrainingRows Rows) ReadRows(IDataView withTeacher)
    {
        SentenceEncoderTrainingOptions options = TrainingOptions(Model);
        EncoderTokenizer tokenizer = EncoderTokenizer.Create(Model, _options.MaxTokens);
        return (options, tokenizer, SentenceTrainingData.Read(withTeacher, options, tokenizer, Teacher.Config.HiddenSize));
    }

    private float[][] Score(BertWeights weights, IDataView withTeacher, CancellationToken cancellationToken)
    {
        (SentenceEncoderTrainingOptions options, EncoderTokenizer tokenizer, SentenceTrainingRows rows) = ReadRows(withTeacher);
        torch.manual_seed(_options.Training.Seed);
        using var model = new SentenceEmbeddingModel(weights.CreateModel(), Teacher.Config.Pooling);
        var task = new SentenceEncoderTask(model, options.Loss, tokenizer, rows);
        return HeadImportance.Compute(task, model.Encoder, _options.ImportanceBatches, _options.ImportanceBatchSize, _options.Training.Seed,
            _options.NormalizeImportancePerLayer, cancellationToken);
    }
}
