using Microsoft.ML;
using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Pipelines;

/// <summary>
/// A two-stage pipeline to sweep: one featurizer (text → <c>Features</c>) then one trainer, each chosen from a list,
/// each with its own hyperparameters.
/// </summary>
/// <remarks>
/// The search space has a choice <c>featurizer</c> and a choice <c>trainer</c> (when there is more than one
/// candidate) and one nested space per candidate, named after it; only the chosen candidates' values are used.
/// The featurizer configuration is also the key of the feature cache: trials that differ only in the trainer
/// reuse the features (encoding is the expensive part).
/// A trainer that <see cref="SweepableEstimator.ReadsText">reads text</see> (encoder fine-tuning) runs without a
/// featurizer: the featurizer choice means nothing in its trials (see <see cref="IgnoredChoices"/>), and when every
/// trainer reads text the space has no featurizer options at all.
/// </remarks>
public sealed class SweepablePipeline
{
    /// <summary>Key of the featurizer choice in <see cref="SearchSpace"/>.</summary>
    public const string FeaturizerKey = "featurizer";

    /// <summary>Key of the trainer choice in <see cref="SearchSpace"/>.</summary>
    public const string TrainerKey = "trainer";

    /// <summary>Creates the pipeline.</summary>
    /// <param name="featurizers">Candidate featurizers; each reads the text columns and writes a float vector <c>Features</c>.</param>
    /// <param name="trainers">Candidate trainers; each reads <c>Features</c> and <c>Label</c>, or the text columns and <c>Label</c>.</param>
    public SweepablePipeline(IReadOnlyList<SweepableEstimator> featurizers, IReadOnlyList<SweepableEstimator> trainers)
    {
        ArgumentNullException.ThrowIfNull(featurizers);
        ArgumentNullException.ThrowIfNull(trainers);
        bool needsFeatures = trainers.Any(t => !t.ReadsText);
        if (trainers.Count == 0 || (needsFeatures && featurizers.Count == 0))
            throw new ArgumentException("A sweepable pipeline needs at least one trainer, and one featurizer unless every trainer reads text.");
        var names = featurizers.Concat(trainers).Select(e => e.Name).ToList();
        string? clash = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1)?.Key
            ?? names.FirstOrDefault(n => n is FeaturizerKey or TrainerKey);
        if (clash is not null)
            throw new ArgumentException($"Component names must be distinct and not '{FeaturizerKey}' or '{TrainerKey}'; '{clash}' is not.");
        Featurizers = featurizers;
        Trainers = trainers;
        SearchSpace = new SearchSpace();
        IReadOnlyList<SweepableEstimator> searched = needsFeatures ? featurizers : [];
        if (searched.Count > 1)
            SearchSpace[FeaturizerKey] = new ChoiceOption(searched.Select(f => (object)f.Name).ToArray());
        if (trainers.Count > 1)
            SearchSpace[TrainerKey] = new ChoiceOption(trainers.Select(t => (object)t.Name).ToArray());
        foreach (var component in searched.Concat(trainers))
            if (component.SearchSpace.FeatureSpaceDim > 0)
                SearchSpace[component.Name] = component.SearchSpace;
        IgnoredChoices = SearchSpace.Options.ContainsKey(FeaturizerKey)
            ? trainers.Where(t => t.ReadsText).ToDictionary(t => t.Name, _ => (IReadOnlyList<string>)[FeaturizerKey])
            : new Dictionary<string, IReadOnlyList<string>>();
    }

    /// <summary>
    /// For a component that makes other choices meaningless, those choice keys: a trainer that reads text ignores
    /// <see cref="FeaturizerKey"/>. The cost-frugal tuner uses it to run such a trainer as one arm, not one per featurizer.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> IgnoredChoices { get; }

    /// <summary>Candidate featurizers.</summary>
    public IReadOnlyList<SweepableEstimator> Featurizers { get; }

    /// <summary>Candidate trainers.</summary>
    public IReadOnlyList<SweepableEstimator> Trainers { get; }

    /// <summary>The joint search space.</summary>
    public SearchSpace SearchSpace { get; }

    /// <summary>The featurizer a configuration picks, with its own configuration (null when it has no hyperparameters).</summary>
    /// <exception cref="InvalidOperationException">Every trainer of this pipeline reads text, so no featurizer is searched.</exception>
    public (SweepableEstimator Featurizer, Parameter? Parameter) SelectFeaturizer(Parameter parameter) =>
        Trainers.Any(t => !t.ReadsText) ? Select(Featurizers, FeaturizerKey, parameter)
        : throw new InvalidOperationException("Every trainer of this pipeline reads the text itself; no featurizer is chosen.");

    /// <summary>The trainer a configuration picks, with its own configuration.</summary>
    public (SweepableEstimator Trainer, Parameter? Parameter) SelectTrainer(Parameter parameter) => Select(Trainers, TrainerKey, parameter);

    /// <summary>A short description of the chosen components, e.g. <c>featurize-text(WordNgrams=2) + sdca(L2=0.01)</c>.</summary>
    /// <remarks>A trainer that reads text is described alone, e.g. <c>finetune(Epochs=1 ...)</c>.</remarks>
    public string Describe(Parameter parameter)
    {
        var (trainer, tp) = SelectTrainer(parameter);
        if (trainer.ReadsText)
            return $"{trainer.Name}({tp?.ToDisplayString()})";
        var (featurizer, fp) = SelectFeaturizer(parameter);
        return $"{featurizer.Name}({fp?.ToDisplayString()}) + {trainer.Name}({tp?.ToDisplayString()})";
    }

    /// <summary>
    /// The configuration that picks <paramref name="featurizer"/> and <paramref name="trainer"/> with their defaults
    /// (as the search space defines them).
    /// </summary>
    public Parameter DefaultParameter(string? featurizer = null, string? trainer = null)
    {
        Parameter p = SearchSpace.DefaultParameter();
        if (featurizer is not null && SearchSpace.Options.ContainsKey(FeaturizerKey))
            p[FeaturizerKey] = Parameter.FromString(Require(Featurizers, featurizer).Name);
        if (trainer is not null && Trainers.Count > 1)
            p[TrainerKey] = Parameter.FromString(Require(Trainers, trainer).Name);
        return p;
    }

    private static SweepableEstimator Require(IReadOnlyList<SweepableEstimator> list, string name) =>
        list.FirstOrDefault(e => e.Name == name)
        ?? throw new ArgumentException($"No component '{name}'; expected one of {string.Join(", ", list.Select(e => e.Name))}.", nameof(name));

    private static (SweepableEstimator, Parameter?) Select(IReadOnlyList<SweepableEstimator> list, string key, Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        SweepableEstimator chosen = list.Count == 1 ? list[0] : Require(list, parameter[key].AsString());
        Parameter? own = parameter.ContainsKey(chosen.Name) ? parameter[chosen.Name] : null;
        return (chosen, own);
    }
}
