using MLNetExt.Estimators.SearchSpaces;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Transforms;

namespace MLNetExt.Estimators.Pipelines;

/// <summary>
/// Encoder fine-tuning as a sweepable trainer (<c>finetune</c>): <c>EncoderTextClassification</c> for classification,
/// <c>EncoderSentenceSimilarity</c> for regression, over one text column or a pair, searched over
/// <see cref="FineTuningSearchOptions"/>. It reads the text itself (no featurizer runs before it).
/// </summary>
/// <remarks>
/// A trial costs minutes where a stock trainer on cached features costs seconds; the sweep reports each trial's
/// duration to the tuner (the cost-frugal tuners weigh it) and cancels a trial that outlives the time budget
/// through the training loop's cancellation token.
/// </remarks>
public static class FineTuningTrainers
{
    /// <summary>The trainer's name in a sweep (<c>--trainers ...,finetune</c>).</summary>
    public const string Name = "finetune";

    /// <summary>The sweepable fine-tuning trainer for <paramref name="task"/> over <paramref name="textColumns"/>.</summary>
    /// <param name="task">Classification (label mapped to a key) or regression (Single label).</param>
    /// <param name="textColumns">One sentence column, or the two columns of a sentence pair.</param>
    /// <param name="baseOptions">
    /// What the search leaves alone: the encoder (<see cref="EncoderFineTuningOptions.Encoder"/>), loop settings such as seed and threads, progress. Column
    /// names are the sweep's. Null: all-MiniLM-L6-v2 and the library defaults.
    /// </param>
    public static SweepableEstimator Create(SweepTask task, IReadOnlyList<string> textColumns, EncoderFineTuningOptions? baseOptions = null)
    {
        ArgumentNullException.ThrowIfNull(textColumns);
        if (textColumns.Count is < 1 or > 2)
            throw new ArgumentException($"Fine-tuning reads one sentence column or a sentence pair; got {textColumns.Count} text columns.", nameof(textColumns));
        string[] columns = textColumns.ToArray();
        EncoderFineTuningOptions template = baseOptions ?? new EncoderFineTuningOptions();
        int positions = (template.Encoder?.Config ?? PretrainedEncoders.MiniLM.Config).MaxPositionEmbeddings;
        return new SweepableEstimator(Name, new SearchSpace<FineTuningSearchOptions>(), (ml, p) =>
        {
            // Everything but the search's parameters comes from the template; columns are the sweep's.
            EncoderFineTuningOptions options = template.Clone();
            options.LabelColumnName = StockTrainers.Label;
            options.SentenceColumnName = columns[0];
            options.SecondSentenceColumnName = columns.Length > 1 ? columns[1] : null;
            options.ScoreColumnName = "Score";
            options.PredictedLabelColumnName = "PredictedLabel";
            options.ValidationSet = null;
            if (p?.AsType<FineTuningSearchOptions>() is { } o)
            {
                options.Training.LearningRate = o.LearningRate;
                options.Training.Epochs = o.Epochs;
                options.Training.BatchSize = o.BatchSize;
                options.Training.WarmupFraction = o.WarmupFraction;
                options.Training.WeightDecay = o.WeightDecay;
                // A searched length past the encoder's position table is capped at it (the tiny test encoders have 64 positions).
                options.MaxTokens = Math.Min(o.MaxTokens, positions);
                options.FreezeEncoder = o.FreezeEncoder;
                options.Pooling = o.Pooling;
            }
            return task == SweepTask.Classification
                ? ml.MulticlassClassification.Trainers.EncoderTextClassification(options)
                : ml.Regression.Trainers.EncoderSentenceSimilarity(options);
        }, readsText: true);
    }
}
