using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms.Schema;
using TorchSharp;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>
/// Trains the encoder itself for similarity and retrieval, as sentence-transformers does: a pretrained encoder
/// (all-MiniLM-L6-v2 by default) with sentence pooling is optimised with a <see cref="SentenceEmbeddingLoss"/>
/// (in-batch negatives, GradCache, CoSENT, cosine similarity, Mirror-BERT, SimCSE, Matryoshka, distillation) in
/// TorchSharp; the trained weights go back to ONNX, and the fitted transformer is an <c>EncodeText</c>
/// <see cref="TextEncoderTransformer"/> over the trained <see cref="EncoderModel"/>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>By loss: anchor, positive[, negatives] texts; text, text, score
/// (Single); one text; or text and teacher embedding (vector of Single).</description></item>
/// <item><term>Output column</term><description>The sentence vector of <see cref="SentenceEncoderTrainingOptions.InputColumnName"/>
/// (known-size vector of Single), as <c>EncodeText</c> writes it.</description></item>
/// <item><term>Needs training</term><description>Yes.</description></item>
/// <item><term>Saved by</term><description><c>mlContext.Model.SaveWithEncoders</c>, or <see cref="SentenceEncoderTrainingResult.SaveFolder"/>
/// as a Hugging Face-layout folder that <see cref="EncoderModel.Load"/> reads.</description></item>
/// </list>
/// Created by <c>mlContext.Transforms.Text.TrainSentenceEncoder(...)</c>; see Samples/SentenceEncoderTrainingSample.cs.
/// </remarks>
public sealed class SentenceEncoderTrainer : EncoderTrainerEstimator<TextEncoderTransformer>
{
    private readonly SentenceEncoderTrainingOptions _options;

    internal SentenceEncoderTrainer(TransformsCatalog.TextTransforms catalog, IHostEnvironment host, SentenceEncoderTrainingOptions options)
        : base(catalog, host, Prepare(options, out SentenceEncoderTrainingOptions prepared))
    {
        _options = prepared;
    }

    // A checked copy of the caller's options (checked before the base encoder is loaded); returns its encoder.
    private static EncoderModel? Prepare(SentenceEncoderTrainingOptions options, out SentenceEncoderTrainingOptions prepared)
    {
        ArgumentNullException.ThrowIfNull(options);
        prepared = options.Clone();
        prepared.Validate();
        return prepared.Model;
    }

    private string InputColumn => _options.InputColumnName ?? _options.TextColumnNames[0];

    private TextEncoderOptions EncodeOptions(EncoderModel model) => new()
    {
        Model = model, InputColumnName = InputColumn, OutputColumnName = _options.OutputColumnName, MaxTokens = _options.MaxTokens,
    };

    /// <inheritdoc/>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SentenceTrainingData.CheckSchema(inputSchema, _options);
        return Catalog.EncodeText(EncodeOptions(BaseModel)).GetOutputSchema(inputSchema);
    }

    /// <summary>Trains on <paramref name="input"/> and returns the trained encoder as an <c>EncodeText</c> transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type, or a score lies outside the declared range.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (a checkpoint is written first when checkpointing is on).</exception>
    public override TextEncoderTransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        SentenceEncoderTrainingResult result = Train(input, cancellationToken);
        return Catalog.EncodeText(EncodeOptions(result.Model)).Fit(input);
    }

    /// <summary>Trains on <paramref name="input"/> and returns the trained <see cref="EncoderModel"/> with the run's figures.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type, or a score lies outside the declared range.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (a checkpoint is written first when checkpointing is on).</exception>
    public SentenceEncoderTrainingResult Train(IDataView input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Train([input], cancellationToken);
    }

    /// <summary>
    /// Trains on several training sets with the same columns: no batch mixes two sets, and the sets take turns one batch
    /// each (round-robin; a set that runs out leaves the rotation), so in-batch negatives always come from the anchor's
    /// own set. Returns the trained <see cref="EncoderModel"/> with the run's figures.
    /// </summary>
    /// <exception cref="ArgumentException">No training sets.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type, or a score lies outside the declared range (the message names the set).</exception>
    /// <exception cref="OperationCanceledException">Cancelled (a checkpoint is written first when checkpointing is on).</exception>
    public SentenceEncoderTrainingResult Train(IReadOnlyList<IDataView> trainingSets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainingSets);
        if (trainingSets.Count == 0)
            throw new ArgumentException("At least one training set is needed.", nameof(trainingSets));
        TrainingOptions loopOptions = _options.Training;
        EncoderTokenizer tokenizer = EncoderTokenizer.Create(BaseModel, _options.MaxTokens);
        var sets = new List<SentenceTrainingRows>();
        for (int i = 0; i < trainingSets.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(trainingSets[i], $"{nameof(trainingSets)}[{i}]");
            try
            {
                SentenceTrainingData.CheckSchema(SchemaShapeFactory.Create(trainingSets[i].Schema), _options);
                sets.Add(SentenceTrainingData.Read(trainingSets[i], _options, tokenizer, BaseModel.Config.HiddenSize));
            }
            catch (ArgumentOutOfRangeException error) when (trainingSets.Count > 1)
            {
                throw new ArgumentOutOfRangeException($"Training set {i}: {error.Message}", error);
            }
        }
        SentenceTrainingRows train = SentenceTrainingRows.Concatenate(sets);
        for (int i = 0; i < sets.Count; i++)
            if (_options.Loss.UsesInBatchNegatives && sets[i].Count < 2)
                throw new ArgumentException($"The {_options.Loss.Name} loss needs at least 2 training rows (in-batch negatives); "
                    + $"{(sets.Count > 1 ? $"training set {i}" : "the data")} has {sets[i].Count}.", nameof(trainingSets));

        EncoderPooling pooling = _options.Pooling ?? BaseModel.Config.Pooling;
        torch.manual_seed(loopOptions.Seed);
        BertWeights weights = EncoderTraining.ReadWeights(BaseModel);
        using var model = new SentenceEmbeddingModel(weights.CreateModel(), pooling);
        var task = new SentenceEncoderTask(model, _options.Loss, tokenizer, train, _options.Evaluators);

        TrainingResult training = EncoderTraining.Run(Host, nameof(SentenceEncoderTrainer),
            $"Training {BaseModel.Name} with the {_options.Loss.Name} loss on {train.Count} rows ({string.Join(", ", _options.TextColumnNames)}).",
            loopOptions, task, _options.Progress, cancellationToken, (channel, p) =>
            {
                if (p.Metrics is not null)
                    channel.Info(MessageSensitivity.None, $"step {p.Step}/{p.TotalSteps}: {string.Join(", ", p.Metrics.Select(m => $"{m.Key} {m.Value:F4}"))}");
            });

        byte[] graph = OnnxBertWriter.ToBytes(model.Encoder.ToWeights(), style: OnnxGraphStyle.OnnxRuntimeFused);
        EncoderModel trained = BaseModel.WithGraph(graph, $"trained with {_options.Loss.Name}")
            .WithConfig(BaseModel.Config with { Pooling = pooling });
        return new SentenceEncoderTrainingResult(trained, training);
    }
}
