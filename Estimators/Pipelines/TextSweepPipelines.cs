using MLNetExt.Trainers.FineTuning;

namespace MLNetExt.Estimators.Pipelines;

/// <summary>
/// The featurizer + trainer pipelines a text sweep searches, chosen by name: featurizers <c>featurize-text</c>
/// (n-gram bags) and <c>encoder</c> (pretrained sentence encoders); trainers the stock ones of the task,
/// <c>finetune</c> (encoder fine-tuning) and, for a scored sentence pair, <c>cosent</c> (contrastive training of the
/// encoder, scored by its cosine); the last two only when named: minutes per trial.
/// </summary>
public static class TextSweepPipelines
{
    /// <summary>The featurizer names.</summary>
    public static IReadOnlyList<string> FeaturizerNames { get; } = ["featurize-text", "encoder"];

    /// <summary>The featurizers called <paramref name="names"/> (null: all) over <paramref name="textColumns"/>.</summary>
    public static IReadOnlyList<SweepableEstimator> Featurizers(IReadOnlyList<string> textColumns, IReadOnlyList<string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(textColumns);
        IReadOnlyList<string> wanted = names ?? FeaturizerNames;
        string? unknown = wanted.FirstOrDefault(w => !FeaturizerNames.Contains(w));
        if (unknown is not null || wanted.Count == 0)
            throw new ArgumentException($"featurizers: unknown featurizer '{unknown}'; expected some of {string.Join(", ", FeaturizerNames)}.");
        var list = new List<SweepableEstimator>();
        if (wanted.Contains("featurize-text"))
            list.Add(TextFeaturizers.FeaturizeText(textColumns));
        if (wanted.Contains("encoder"))
            list.Add(EncoderFeaturizer.Create(textColumns));
        return list;
    }

    /// <summary>The pipeline over the named featurizers and trainers (null: all featurizers, the stock trainers).</summary>
    /// <param name="task">Classification or regression.</param>
    /// <param name="textColumns">The text columns.</param>
    /// <param name="trainerNames">Trainers by name (see <see cref="StockTrainers.Names"/>, plus <see cref="FineTuningTrainers.Name"/> and <see cref="ContrastiveTrainers.CoSentName"/>).</param>
    /// <param name="featurizerNames">Featurizers by name (see <see cref="FeaturizerNames"/>).</param>
    /// <param name="seed">Seed of the fine-tuning trainer.</param>
    public static SweepablePipeline Create(SweepTask task, IReadOnlyList<string> textColumns, IReadOnlyList<string>? trainerNames = null,
        IReadOnlyList<string>? featurizerNames = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(textColumns);
        IReadOnlyList<SweepableEstimator> trainers = StockTrainers.For(task);
        if (trainerNames is not null)
        {
            string[] known = trainers.Select(t => t.Name).Append(FineTuningTrainers.Name).Append(ContrastiveTrainers.CoSentName).ToArray();
            string? unknown = trainerNames.FirstOrDefault(w => !known.Contains(w));
            if (unknown is not null || trainerNames.Count == 0)
                throw new ArgumentException($"trainers: unknown trainer '{unknown}' for {task}; expected some of {string.Join(", ", known)}.");
            trainers = trainers.Where(t => trainerNames.Contains(t.Name)).ToArray();
            if (trainerNames.Contains(FineTuningTrainers.Name))
            {
                if (textColumns.Count > 2)
                    throw new ArgumentException($"trainers {FineTuningTrainers.Name}: fine-tuning reads one text column or a pair; there are {textColumns.Count} text columns.");
                var baseOptions = new EncoderFineTuningOptions();
                baseOptions.Training.Seed = seed;
                trainers = trainers.Append(FineTuningTrainers.Create(task, textColumns, baseOptions)).ToArray();
            }
            if (trainerNames.Contains(ContrastiveTrainers.CoSentName))
            {
                if (task != SweepTask.Regression || textColumns.Count != 2)
                    throw new ArgumentException($"trainers {ContrastiveTrainers.CoSentName}: CoSENT trains on a scored sentence pair (auto regress over two text columns); this is {task} over {textColumns.Count} text column(s).");
                trainers = trainers.Append(ContrastiveTrainers.CoSent(textColumns, seed: seed)).ToArray();
            }
        }
        return new SweepablePipeline(Featurizers(textColumns, featurizerNames), trainers);
    }
}
