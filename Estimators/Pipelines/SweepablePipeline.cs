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
/// </remarks>
public sealed class SweepablePipeline
{
    /// <summary>Key of the featurizer choice in <see cref="SearchSpace"/>.</summary>
    public const string FeaturizerKey = "featurizer";

    /// <summary>Key of the trainer choice in <see cref="SearchSpace"/>.</summary>
    public const string TrainerKey = "trainer";

    /// <summary>Creates the pipeline.</summary>
    /// <param name="featurizers">Candidate featurizers; each reads the text columns and writes a float vector <c>Features</c>.</param>
    /// <param name="trainers">Candidate trainers; each reads <c>Features</c> and <c>Label</c>.</param>
    public SweepablePipeline(IReadOnlyList<SweepableEstimator> featurizers, IReadOnlyList<SweepableEstimator> trainers)
    {
        ArgumentNullException.ThrowIfNull(featurizers);
        ArgumentNullException.ThrowIfNull(trainers);
        if (featurizers.Count == 0 || trainers.Count == 0)
            throw new ArgumentException("A sweepable pipeline needs at least one featurizer and one trainer.");
        var names = featurizers.Concat(trainers).Select(e => e.Name).ToList();
        string? clash = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1)?.Key
            ?? names.FirstOrDefault(n => n is FeaturizerKey or TrainerKey);
        if (clash is not null)
            throw new ArgumentException($"Component names must be distinct and not '{FeaturizerKey}' or '{TrainerKey}'; '{clash}' is not.");
        Featurizers = featurizers;
        Trainers = trainers;
        SearchSpace = new SearchSpace();
        if (featurizers.Count > 1)
            SearchSpace[FeaturizerKey] = new ChoiceOption(featurizers.Select(f => (object)f.Name).ToArray());
        if (trainers.Count > 1)
            SearchSpace[TrainerKey] = new ChoiceOption(trainers.Select(t => (object)t.Name).ToArray());
        foreach (var component in featurizers.Concat(trainers))
            if (component.SearchSpace.FeatureSpaceDim > 0)
                SearchSpace[component.Name] = component.SearchSpace;
    }

    /// <summary>Candidate featurizers.</summary>
    public IReadOnlyList<SweepableEstimator> Featurizers { get; }

    /// <summary>Candidate trainers.</summary>
    public IReadOnlyList<SweepableEstimator> Trainers { get; }

    /// <summary>The joint search space.</summary>
    public SearchSpace SearchSpace { get; }

    /// <summary>The featurizer a configuration picks, with its own configuration (null when it has no hyperparameters).</summary>
    public (SweepableEstimator Featurizer, Parameter? Parameter) SelectFeaturizer(Parameter parameter) => Select(Featurizers, FeaturizerKey, parameter);

    /// <summary>The trainer a configuration picks, with its own configuration.</summary>
    public (SweepableEstimator Trainer, Parameter? Parameter) SelectTrainer(Parameter parameter) => Select(Trainers, TrainerKey, parameter);

    /// <summary>A short description of the chosen components, e.g. <c>featurize-text(WordNgrams=2) + sdca(L2=0.01)</c>.</summary>
    public string Describe(Parameter parameter)
    {
        var (featurizer, fp) = SelectFeaturizer(parameter);
        var (trainer, tp) = SelectTrainer(parameter);
        return $"{featurizer.Name}({fp?.ToDisplayString()}) + {trainer.Name}({tp?.ToDisplayString()})";
    }

    /// <summary>
    /// The configuration that picks <paramref name="featurizer"/> and <paramref name="trainer"/> with their defaults
    /// (as the search space defines them).
    /// </summary>
    public Parameter DefaultParameter(string? featurizer = null, string? trainer = null)
    {
        Parameter p = SearchSpace.DefaultParameter();
        if (featurizer is not null && Featurizers.Count > 1)
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
