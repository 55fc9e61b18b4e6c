namespace MLNetExt.Transforms.Attribution;

/// <summary>
/// A feature-attribution method for text: scores each word of an input by how much it supports the explained output.
/// Every method (perturbation or gradient) has this one call shape, like Captum's <c>attribute(inputs, baselines,
/// target)</c>; the model is given when the method is created.
/// </summary>
public interface ITextAttributionMethod
{
    /// <summary>The method's name (<c>occlusion</c>, <c>reagent</c>, <c>kernel-shap</c>, <c>integrated-gradients</c>, ...).</summary>
    string Name { get; }

    /// <summary>Attributes the explained output for <paramref name="input"/> to its words.</summary>
    /// <param name="input">The text (pair), split into words.</param>
    /// <param name="baseline">What an absent word looks like.</param>
    /// <param name="target">The output explained.</param>
    /// <param name="cancellationToken">Stops the work before the next batch of model calls.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="ArgumentException">The method does not support <paramref name="baseline"/> (the message says which it does).</exception>
    TextAttribution Attribute(TextInstance input, WordBaseline baseline, AttributionTarget target, CancellationToken cancellationToken = default);
}
