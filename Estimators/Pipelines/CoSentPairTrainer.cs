using Microsoft.ML;
using MLNetExt.Estimators.Baselines;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Losses;

namespace MLNetExt.Estimators.Pipelines;

/// <summary>
/// Scores a sentence pair by the cosine of a sentence encoder trained for it: fits the encoder with the CoSENT loss on
/// the training pairs and their scores (<see cref="SentenceEncoderTrainer"/>), then returns the same model as the pair
/// cosine baseline, over the trained encoder (<c>EncodeText</c> of each sentence, then <see cref="PairCosineFactory"/>).
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>The two text columns and the score (Single) named in the options.</description></item>
/// <item><term>Output column</term><description><c>Score</c> (Single): the cosine in [-1, 1], for rank metrics such as Spearman.</description></item>
/// <item><term>Needs training</term><description>Yes (the encoder's weights).</description></item>
/// <item><term>Saved by</term><description><c>mlContext.Model.SaveWithEncoders</c> (the trained encoder's graph travels in the file).</description></item>
/// </list>
/// The <c>cosent</c> arm of a text sweep (<see cref="ContrastiveTrainers"/>).
/// </remarks>
public sealed class CoSentPairTrainer : IEstimator<ITransformer>
{
    private readonly MLContext _ml;
    private readonly SentenceEncoderTrainingOptions _options;

    /// <summary>Creates the trainer.</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="options">
    /// What to train: exactly two <see cref="SentenceEncoderTrainingOptions.TextColumnNames"/> (the pair) and the score in
    /// <see cref="SentenceEncoderTrainingOptions.TargetColumnName"/>; the loss is set to CoSENT.
    /// </param>
    public CoSentPairTrainer(MLContext mlContext, SentenceEncoderTrainingOptions options)
    {
        _ml = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        ArgumentNullException.ThrowIfNull(options);
        if (options.TextColumnNames is not { Count: 2 })
            throw new ArgumentException($"CoSENT scores a sentence pair: two text columns are needed; got {options.TextColumnNames?.Count ?? 0}.", nameof(options));
        _options = options.Clone();
        _options.Loss = new CoSentLoss();
    }

    private SentenceEncoderTrainer Trainer() => _ml.Transforms.Text.TrainSentenceEncoder(_options);

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        SentenceEncoderTrainer trainer = Trainer();
        trainer.GetOutputSchema(inputSchema);   // checks the pair and the score column
        return SweepBaselines.PairCosineScorer(_ml, _options.TextColumnNames[0], _options.TextColumnNames[1], trainer.BaseModel, _options.Pooling)
            .GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public ITransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Trains the encoder on <paramref name="input"/> (stopping between steps when cancelled) and returns the pair scorer.</summary>
    public ITransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        SentenceEncoderTrainingResult trained = Trainer().Train(input, cancellationToken);
        return SweepBaselines.PairCosineScorer(_ml, _options.TextColumnNames[0], _options.TextColumnNames[1], trained.Model, null).Fit(input);
    }
}
