using Microsoft.ML;
using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Pipelines;

/// <summary>
/// An estimator with a search space: given a proposed configuration it builds the estimator to fit. Given null it
/// builds the component with its library defaults (the "default configuration" a sweep is compared against).
/// </summary>
public sealed class SweepableEstimator
{
    private readonly Func<MLContext, Parameter?, IEstimator<ITransformer>> _factory;

    /// <summary>Creates the sweepable estimator.</summary>
    /// <param name="name">Short name (used as a key in the pipeline's search space, e.g. <c>sdca</c>).</param>
    /// <param name="searchSpace">Its hyperparameters; the space's default is the cheap starting point of cost-frugal search.</param>
    /// <param name="factory">Builds the estimator from a configuration, or from null for the library defaults.</param>
    public SweepableEstimator(string name, SearchSpace searchSpace, Func<MLContext, Parameter?, IEstimator<ITransformer>> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        SearchSpace = searchSpace ?? throw new ArgumentNullException(nameof(searchSpace));
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
    }

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
