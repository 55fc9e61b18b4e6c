using MLNetExt.Estimators.SearchSpaces;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Estimators.Pipelines;

/// <summary>
/// Contrastive training of the sentence encoder as sweep arms: <c>cosent</c> trains the encoder with CoSENT on a scored
/// sentence pair (regression over two text columns, e.g. STS-B) and scores a pair by the cosine of the trained encoder
/// (<see cref="CoSentPairTrainer"/>), searched over <see cref="CoSentSearchOptions"/>. It reads the text itself.
/// </summary>
/// <remarks>
/// Like fine-tuning, a trial costs minutes where a stock trainer on cached features costs seconds; the cost-frugal tuner
/// starts it at its cheapest point (one epoch, 64 tokens) after the cheaper arms and weighs its measured cost, and the
/// time budget cancels a trial between steps. Its fitted model has the form of the pair cosine baseline, so the
/// comparison with that baseline measures what the training added.
/// </remarks>
public static class ContrastiveTrainers
{
    /// <summary>The CoSENT arm's name in a sweep (<c>--trainers ...,cosent</c>).</summary>
    public const string CoSentName = "cosent";

    /// <summary>The sweepable CoSENT trainer over the sentence pair <paramref name="textColumns"/>.</summary>
    /// <param name="textColumns">The two columns of the pair.</param>
    /// <param name="encoder">The encoder to start from; null for all-MiniLM-L6-v2.</param>
    /// <param name="seed">Seed of data order and dropout.</param>
    public static SweepableEstimator CoSent(IReadOnlyList<string> textColumns, EncoderModel? encoder = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(textColumns);
        if (textColumns.Count != 2)
            throw new ArgumentException($"trainers {CoSentName}: CoSENT trains on a scored sentence pair (two text columns); there are {textColumns.Count}.", nameof(textColumns));
        string[] columns = textColumns.ToArray();
        int positions = (encoder?.Config ?? PretrainedEncoders.MiniLM.Config).MaxPositionEmbeddings;
        return new SweepableEstimator(CoSentName, new SearchSpace<CoSentSearchOptions>(), (ml, p) =>
        {
            CoSentSearchOptions o = p?.AsType<CoSentSearchOptions>() ?? new CoSentSearchOptions();
            return new CoSentPairTrainer(ml, new SentenceEncoderTrainingOptions
            {
                Model = encoder,
                TextColumnNames = columns,
                TargetColumnName = StockTrainers.Label,
                // A searched length past the encoder's position table is capped at it (the tiny test encoders have 64 positions).
                MaxTokens = Math.Min(o.MaxTokens, positions),
                Training = new TrainingOptions
                {
                    LearningRate = o.LearningRate, Epochs = o.Epochs, BatchSize = o.BatchSize, WarmupFraction = o.WarmupFraction, Seed = seed,
                },
            });
        }, readsText: true);
    }
}
