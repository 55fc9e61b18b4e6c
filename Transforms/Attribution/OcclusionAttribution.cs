namespace MLNetExt.Transforms.Attribution;

/// <summary>
/// Occlusion (leave one word out): a word's score is the drop of the explained output when that word alone is taken
/// out (deleted, replaced by an unknown token, or by a sampled word). The unperturbed text and its n perturbations are scored
/// in one batch (one <c>Transform</c>): n + 1 model calls per text.
/// </summary>
public sealed class OcclusionAttribution : PerturbationAttribution
{
    /// <summary>The method's name.</summary>
    public const string MethodName = "occlusion";

    /// <summary>Occlusion of <paramref name="model"/>'s words.</summary>
    public OcclusionAttribution(ExplainedTextModel model, OcclusionOptions? options = null)
        : base(model, (options ??= new OcclusionOptions()).MaxWords, options.Seed)
    {
    }

    /// <inheritdoc/>
    public override string Name => MethodName;

    private protected override IReadOnlyList<TextPair> Prepare(PerturbationContext context, int words)
    {
        var texts = new TextPair[words];
        var keep = new bool[words];
        for (int i = 0; i < words; i++)
        {
            Array.Fill(keep, true);
            keep[i] = false;
            texts[i] = context.Perturb(keep);
        }
        return texts;
    }

    private protected override int? Compute(PerturbationContext context, int words, float[] scores)
    {
        for (int i = 0; i < words; i++)
            scores[i] = context.OriginalValue - context.Prepared[i];
        return null;
    }
}
