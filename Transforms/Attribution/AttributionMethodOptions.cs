namespace MLNetExt.Transforms.Attribution;

/// <summary>
/// Settings of one attribution method, and the factory that makes it for a model. The attribution transform holds one
/// of these; methods in other assemblies (integrated gradients in MLNetExt.Trainers) derive from it too, and the
/// transform saves it by type name, like pipeline parts.
/// </summary>
public abstract class AttributionMethodOptions
{
    /// <summary>Words attributed per text (default 128); later words are not perturbed and score 0.</summary>
    public int MaxWords { get; set; } = 128;

    /// <summary>Seed of the method's random choices (default 0); results depend only on it and the text.</summary>
    public int Seed { get; set; }

    /// <summary>The method's name, as in <see cref="ITextAttributionMethod.Name"/>.</summary>
    public abstract string MethodName { get; }

    /// <summary>Makes the method for <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message quotes it).</exception>
    /// <exception cref="ArgumentException">The method cannot explain this model (gradient methods need a TorchSharp-readable encoder).</exception>
    public abstract ITextAttributionMethod Create(ExplainedTextModel model);

    /// <summary>Checks the settings every method shares.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MaxWords"/> is below 1.</exception>
    protected void CheckCommon()
    {
        if (MaxWords < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxWords), MaxWords, $"MaxWords must be at least 1, got {MaxWords}.");
    }
}

/// <summary>Settings of <see cref="OcclusionAttribution"/>.</summary>
public sealed class OcclusionOptions : AttributionMethodOptions
{
    /// <inheritdoc/>
    public override string MethodName => OcclusionAttribution.MethodName;

    /// <inheritdoc/>
    public override ITextAttributionMethod Create(ExplainedTextModel model)
    {
        CheckCommon();
        return new OcclusionAttribution(model, this);
    }
}

/// <summary>Settings of <see cref="KernelShapAttribution"/>.</summary>
public sealed class KernelShapOptions : AttributionMethodOptions
{
    /// <summary>
    /// Coalitions scored per text besides the empty and full one (default 256). Texts with few enough words that all
    /// 2^n - 2 coalitions fit are enumerated exactly, which gives exact Shapley values.
    /// </summary>
    public int Samples { get; set; } = 256;

    /// <inheritdoc/>
    public override string MethodName => KernelShapAttribution.MethodName;

    /// <inheritdoc/>
    public override ITextAttributionMethod Create(ExplainedTextModel model)
    {
        CheckCommon();
        if (Samples < 1)
            throw new ArgumentOutOfRangeException(nameof(Samples), Samples, $"Samples must be at least 1, got {Samples}.");
        return new KernelShapAttribution(model, this);
    }
}

/// <summary>Settings of <see cref="ReAgentAttribution"/>; defaults as the reference implementation.</summary>
public sealed class ReAgentOptions : AttributionMethodOptions
{
    /// <summary>Fraction of the words replaced in each random perturbation (default 0.3).</summary>
    public double ReplacingRatio { get; set; } = 0.3;

    /// <summary>Stopping rule: the top this-many words alone (the rest replaced) must keep the prediction (default 5).</summary>
    public int KeepTop { get; set; } = 5;

    /// <summary>
    /// Stopping rule: the target must stay among the top this-many outputs (default 3), capped at the number of
    /// classes minus one so that a binary classifier must keep its predicted class.
    /// </summary>
    public int TopK { get; set; } = 3;

    /// <summary>Random perturbations scored per step, in one batch (default 8); the stopping rule is checked after each step.</summary>
    public int PerturbationsPerStep { get; set; } = 8;

    /// <summary>Model calls per text at most (default 300); the reference's 3,000 single-perturbation steps is the same cap idea.</summary>
    public int MaxModelCalls { get; set; } = 300;

    /// <inheritdoc/>
    public override string MethodName => ReAgentAttribution.MethodName;

    /// <inheritdoc/>
    public override ITextAttributionMethod Create(ExplainedTextModel model)
    {
        CheckCommon();
        if (ReplacingRatio is <= 0 or >= 1 || double.IsNaN(ReplacingRatio))
            throw new ArgumentOutOfRangeException(nameof(ReplacingRatio), ReplacingRatio, $"ReplacingRatio must be in (0, 1), got {ReplacingRatio}.");
        if (KeepTop < 1)
            throw new ArgumentOutOfRangeException(nameof(KeepTop), KeepTop, $"KeepTop must be at least 1, got {KeepTop}.");
        if (TopK < 1)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, $"TopK must be at least 1, got {TopK}.");
        if (PerturbationsPerStep < 1)
            throw new ArgumentOutOfRangeException(nameof(PerturbationsPerStep), PerturbationsPerStep, $"PerturbationsPerStep must be at least 1, got {PerturbationsPerStep}.");
        if (MaxModelCalls < PerturbationsPerStep + 2)
            throw new ArgumentOutOfRangeException(nameof(MaxModelCalls), MaxModelCalls, $"MaxModelCalls must be at least PerturbationsPerStep + 2 = {PerturbationsPerStep + 2}, got {MaxModelCalls}.");
        return new ReAgentAttribution(model, this);
    }
}

/// <summary>Settings of <see cref="RandomAttribution"/>, the baseline every method must beat.</summary>
public sealed class RandomAttributionOptions : AttributionMethodOptions
{
    /// <inheritdoc/>
    public override string MethodName => RandomAttribution.MethodName;

    /// <inheritdoc/>
    public override ITextAttributionMethod Create(ExplainedTextModel model)
    {
        CheckCommon();
        return new RandomAttribution(model, this);
    }
}
