using Microsoft.ML;
using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Pipelines;

/// <summary>
/// An estimator with a search space: given a proposed configuration it builds the estimator to fit. Given null it
/// builds the component with its library defaults (the "default configuration" a sweep is compared against).
/// </summary>
/// <remarks>
/// A trainer normally reads the <c>Features</c> a featurizer wrote. A trainer that <see cref="ReadsText"/> (encoder
/// fine-tuning) reads the text columns itself, so no featurizer runs before it.
/// </remarks>
public sealed class SweepableEstimator
{
    private readonly Func<MLContext, Parameter?, IEstimator<ITransformer>> _factory;

    /// <summary>Creates the sweepable estimator.</summary>
    /// <param name="name">Short name (used as a key in the pipeline's search space, e.g. <c>sdca</c>).</param>
    /// <param name="searchSpace">Its hyperparameters; the space's default is the cheap starting point of cost-frugal search.</param>
    /// <param name="factory">Builds the estimator from a configuration, or from null for the library defaults.</param>
    /// <param name="readsText">True for a trainer that reads the text columns and <c>Label</c> instead of <c>Features</c>.</param>
    public SweepableEstimator(string name, SearchSpace searchSpace, Func<MLContext, Parameter?, IEstimator<ITransformer>> factory, bool readsText = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        SearchSpace = searchSpace ?? throw new ArgumentNullException(nameof(searchSpace));
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
        ReadsText = readsText;
    }

    /// <summary>Whether this trainer reads the text columns itself (no featurizer runs before it).</summary>
    public bool ReadsText { get; }

    /// <summary>Short name.</summary>
    public string Name { get; }

    /// <summary>Hyperparameters.</summary>
    public SearchSpace SearchSpace { get; }

    /// <summary>The estimator for <paramref name="parameter"/> (null: library defaults).</summary>
    public IEstimator<ITransformer> Build(MLContext mlContext, Parameter? parameter)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return _factory(mlContext, parameter);
    }
}
