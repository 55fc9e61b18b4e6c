using Microsoft.ML;
using MLNetExt.Estimators.Tuners;

namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// Runs one trial: builds and fits whatever <see cref="TrialSettings.Parameter"/> describes, and scores it
/// (ML.NET AutoML's <c>ITrialRunner</c>). The experiment measures duration and memory around the call.
/// </summary>
public interface ITrialRunner
{
    /// <summary>Runs the trial. Throws on failure (the experiment records the error and goes on);
    /// throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.</summary>
    TrialResult Run(TrialSettings settings, CancellationToken cancellationToken);
}

/// <summary>A trial runner whose models can be written to and read from a file, so a checkpoint keeps the best model.</summary>
public interface IModelStore
{
    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/>.</summary>
    void SaveModel(ITransformer model, string path);

    /// <summary>Reads a model written by <see cref="SaveModel"/>.</summary>
    ITransformer LoadModel(string path);
}
