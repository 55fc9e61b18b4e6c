using System.ComponentModel;
using MLNetExt.Trainers.Attribution;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands;

/// <summary>The attribution-method options that <c>eval faithfulness</c> and <c>explain</c> share (<see cref="AttributionMethodSettings"/>).</summary>
public abstract class AttributionMethodCliSettings : CommandSettings
{
    /// <summary>KernelSHAP coalitions.</summary>
    [CommandOption("--shap-samples <N>")]
    [Description("KernelSHAP coalitions per text (default 256).")]
    public int ShapSamples { get; init; } = 256;

    /// <summary>ReAGent call cap.</summary>
    [CommandOption("--reagent-max-calls <N>")]
    [Description("ReAGent model calls per text at most (default 300).")]
    public int ReAgentMaxCalls { get; init; } = 300;

    /// <summary>Integrated-gradients steps.</summary>
    [CommandOption("--ig-steps <N>")]
    [Description("Integrated-gradients interpolation steps (default 20).")]
    public int IgSteps { get; init; } = 20;

    /// <summary>Masked-language-model folder for ReAGent's replacements.</summary>
    [CommandOption("--replacement-model <DIR>")]
    [Description("Folder written by 'mlnetext train mlm': ReAGent replaces words with the masked-language model's predictions in context (default: words drawn from the data's unigram distribution).")]
    public string? ReplacementModel { get; init; }

    /// <summary>Seed.</summary>
    [CommandOption("--seed <N>")]
    public int Seed { get; init; }

    /// <summary>The library settings these options stand for.</summary>
    public AttributionMethodSettings ToMethodSettings() => new()
    {
        Seed = Seed, ShapSamples = ShapSamples, ReAgentMaxModelCalls = ReAgentMaxCalls, IntegratedGradientsSteps = IgSteps, ReplacementModel = ReplacementModel,
    };
}
