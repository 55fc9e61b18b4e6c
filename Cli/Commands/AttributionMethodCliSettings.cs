using System.ComponentModel;
using MLNetExt.Trainers.Attribution;
using Spectre.Console;
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

    /// <summary>Int8 serving.</summary>
    [CommandOption("--int8")]
    [Description("Serve a fine-tuned model with its graph quantised to int8 (faster on the CPU; scores differ slightly from the saved model's).")]
    public bool Int8 { get; init; }

    /// <summary>ONNX Runtime threads.</summary>
    [CommandOption("--threads <N>")]
    [Description("ONNX Runtime intra-op threads of a fine-tuned model (default: 1 when --parallel is above 1, else one per core).")]
    public int? Threads { get; init; }

    /// <summary>Texts explained at once.</summary>
    [CommandOption("--parallel <N>")]
    [Description("Texts explained at once by occlusion, reagent, shap and random (default: one per core; ig and gxi take one at a time).")]
    public int Parallel { get; init; } = Environment.ProcessorCount;

    /// <summary>Checks --threads and --parallel.</summary>
    protected ValidationResult ValidateRuntime() =>
        Parallel < 1 ? ValidationResult.Error($"--parallel must be at least 1, got {Parallel}.")
        : Threads is < 1 ? ValidationResult.Error($"--threads must be at least 1, got {Threads}.")
        : ValidationResult.Success();

    /// <summary>How a fine-tuned model is served, or null to serve it as saved: texts explained in parallel each get one ONNX Runtime thread unless --threads says otherwise.</summary>
    /// <param name="methods">The methods run: gradient methods (ig, gxi) explain one text at a time, so ONNX Runtime keeps its threads.</param>
    public MLNetExt.Trainers.FineTuning.FineTunedRuntimeOptions? ToRuntime(IEnumerable<string> methods)
    {
        bool parallel = Parallel > 1 && !methods.Any(m => m is "ig" or "gxi");
        int? threads = Threads ?? (parallel ? 1 : null);
        return Int8 || threads is not null ? new() { Int8 = Int8, IntraOpThreads = threads } : null;
    }

    /// <summary>The library settings these options stand for.</summary>
    public AttributionMethodSettings ToMethodSettings() => new()
    {
        Seed = Seed, ShapSamples = ShapSamples, ReAgentMaxModelCalls = ReAgentMaxCalls, IntegratedGradientsSteps = IgSteps, ReplacementModel = ReplacementModel,
    };
}
