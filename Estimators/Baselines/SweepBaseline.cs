using Microsoft.ML;

namespace MLNetExt.Estimators.Baselines;

/// <summary>
/// A zero-training candidate of a sweep (the encoder's cosine for a sentence pair, the majority class, a
/// nearest-centroid on embeddings): scored on the validation rows like a trial, and returned instead of the sweep's
/// best when it does better there. Its model saves, loads and predicts like any swept pipeline.
/// </summary>
public sealed class SweepBaseline
{
    private readonly Func<MLContext, IDataView, ITransformer> _fit;

    /// <summary>Creates the baseline.</summary>
    /// <param name="name">What it is, as reports show it (e.g. <c>cosine(Encoder=all-MiniLM-L6-v2 Pooling=Mean)</c>).</param>
    /// <param name="fit">
    /// Given a context and the training rows (the text columns and <c>Label</c>: a key for classification, a Single for
    /// regression), returns the transformer from input rows to <c>Score</c> (and, for classification, the key
    /// <c>PredictedLabel</c>). It may count (class shares, centroids) but not train.
    /// </param>
    public SweepBaseline(string name, Func<MLContext, IDataView, ITransformer> fit)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _fit = fit ?? throw new ArgumentNullException(nameof(fit));
    }

    /// <summary>What it is, as reports show it.</summary>
    public string Name { get; }

    /// <summary>The baseline's model for <paramref name="labelledTrain"/> (see the constructor).</summary>
    public ITransformer Fit(MLContext mlContext, IDataView labelledTrain)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(labelledTrain);
        return _fit(mlContext, labelledTrain);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
