namespace MLNetExt.Transforms.Attribution;

/// <summary>
/// Uniform random scores in [0, 1): the baseline that faithfulness figures of every real method are compared with.
/// Calls the model only once (to resolve the target).
/// </summary>
public sealed class RandomAttribution : PerturbationAttribution
{
    /// <summary>The method's name.</summary>
    public const string MethodName = "random";

    /// <summary>Random scores for <paramref name="model"/>'s words.</summary>
    public RandomAttribution(ExplainedTextModel model, RandomAttributionOptions? options = null)
        : base(model, (options ??= new RandomAttributionOptions()).MaxWords, options.Seed)
    {
    }

    /// <inheritdoc/>
    public override string Name => MethodName;

    private protected override int? Compute(PerturbationContext context, int words, float[] scores)
    {
        for (int i = 0; i < words; i++)
            scores[i] = (float)context.Random.NextDouble();
        return null;
    }
}
