using MLNetExt.Transforms.Attribution;

namespace MLNetExt.Trainers.Attribution;

/// <summary>
/// The attribution methods by short name (as the command line names them) and the settings they share, so the
/// faithfulness benchmark and the explain service make methods the same way.
/// </summary>
public sealed class AttributionMethodSettings
{
    /// <summary>Every short name <see cref="Create"/> accepts: occlusion, reagent, shap, ig, gxi, random.</summary>
    public static IReadOnlyList<string> MethodNames { get; } = ["occlusion", "reagent", "shap", "ig", "gxi", "random"];

    /// <summary>Seed of every method's random choices (default 0).</summary>
    public int Seed { get; set; }

    /// <summary>KernelSHAP coalitions per text (default 256).</summary>
    public int ShapSamples { get; set; } = 256;

    /// <summary>ReAGent model calls per text at most (default 300).</summary>
    public int ReAgentMaxModelCalls { get; set; } = 300;

    /// <summary>Integrated-gradients interpolation steps (default 20).</summary>
    public int IntegratedGradientsSteps { get; set; } = 20;

    /// <summary>Words attributed per text (default 128, as <see cref="AttributionMethodOptions.MaxWords"/>).</summary>
    public int MaxWords { get; set; } = 128;

    /// <summary>
    /// A folder with an encoder and a masked-language-model head (written by <c>mlnetext train mlm</c>): ReAGent replaces
    /// words with what it predicts in context, as the reference does. Null (default): words drawn from the unigram
    /// distribution of the data.
    /// </summary>
    public string? ReplacementModel { get; set; }

    /// <summary>Candidates a predicted replacement is drawn from (default 5).</summary>
    public int ReplacementTopK { get; set; } = 5;

    /// <summary>Checks that every name is known.</summary>
    /// <exception cref="ArgumentException">A name is not one of <see cref="MethodNames"/> (the message lists them).</exception>
    public static void CheckNames(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.FirstOrDefault(m => !MethodNames.Contains(m)) is string unknown)
            throw new ArgumentException($"Unknown attribution method '{unknown}'; known: {string.Join(", ", MethodNames)}.", nameof(names));
    }

    /// <summary>Checks that the methods can explain a model served as <paramref name="runtime"/> says.</summary>
    /// <exception cref="ArgumentException">An int8 model with a gradient method (ig, gxi), which reads the fp32 weights.</exception>
    public static void CheckRuntime(IEnumerable<string> names, MLNetExt.Trainers.FineTuning.FineTunedRuntimeOptions? runtime)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (runtime is { Int8: true } && names.FirstOrDefault(n => n is "ig" or "gxi") is string gradient)
            throw new ArgumentException($"The method '{gradient}' differentiates the fp32 weights of the model; it cannot explain the int8 copy. Drop int8 or the method.", nameof(runtime));
    }

    /// <summary>The options of the method called <paramref name="name"/> with these settings.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public AttributionMethodOptions Options(string name)
    {
        CheckNames([name]);
        return name switch
        {
            "occlusion" => new OcclusionOptions { Seed = Seed, MaxWords = MaxWords },
            "reagent" => new ReAgentOptions { Seed = Seed, MaxWords = MaxWords, MaxModelCalls = ReAgentMaxModelCalls },
            "shap" => new KernelShapOptions { Seed = Seed, MaxWords = MaxWords, Samples = ShapSamples },
            "random" => new RandomAttributionOptions { Seed = Seed, MaxWords = MaxWords },
            "ig" => new IntegratedGradientsOptions { Seed = Seed, MaxWords = MaxWords, Steps = IntegratedGradientsSteps },
            _ => new IntegratedGradientsOptions { Seed = Seed, MaxWords = MaxWords, GradientTimesInput = true },
        };
    }

    /// <summary>The method called <paramref name="name"/> for <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name, or a gradient method for a model without a fine-tuned encoder.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message quotes it).</exception>
    public ITextAttributionMethod Create(string name, ExplainedTextModel model) => Options(name).Create(model);

    /// <summary>
    /// ReAGent's word baseline: words predicted in context by the masked-language-model folder
    /// <see cref="ReplacementModel"/> when it is set (<paramref name="predictor"/> then holds the predictor, which the
    /// caller disposes), otherwise words drawn from <paramref name="corpus"/>'s unigram distribution.
    /// </summary>
    /// <exception cref="FileNotFoundException">The replacement folder has no masked-language-model head.</exception>
    public WordBaseline ReAgentBaseline(Func<IEnumerable<string?>> corpus, out MaskedWordPredictor? predictor)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        if (ReplacementModel is null)
        {
            predictor = null;
            return WordBaseline.Sampled(UnigramWordSampler.FromTexts(corpus()));
        }
        predictor = MaskedWordPredictor.Load(ReplacementModel);
        return WordBaseline.Predicted(predictor, ReplacementTopK);
    }
}
