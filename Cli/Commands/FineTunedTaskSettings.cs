using System.ComponentModel;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands;

/// <summary>
/// The options naming a fine-tuned classifier or regressor and the GLUE task it was fine-tuned on, shared by the verbs
/// that compress one (<c>compress --model</c>, <c>auto compress --model</c>, <c>train prune-tokens</c>).
/// </summary>
public abstract class FineTunedTaskSettings : CommandSettings
{
    /// <summary>The fine-tuned model.</summary>
    [CommandOption("--model <MODEL.zip>")]
    [Description("A fine-tuned classifier or regressor (model.zip from train classify --out).")]
    public string? Model { get; init; }

    /// <summary>Its GLUE task.</summary>
    [CommandOption("--task <NAME>")]
    [Description("With --model: the GLUE task it was fine-tuned on (sst2, mrpc, cola, stsb, ...).")]
    public string? Task { get; init; }

    /// <summary>The task's folder.</summary>
    [CommandOption("--data <DIR>")]
    [Description("With --model: the task's folder (train.tsv, dev.tsv), e.g. ../shared/data/sst2.")]
    public string? Data { get; init; }

    /// <summary>The error for a <c>--model</c> without its task and folder (or, when <paramref name="required"/>, no <c>--model</c>); null when they are complete.</summary>
    protected string? FineTunedTaskError(bool required = false) =>
        Model is null ? required ? "--model MODEL.zip is required (a fine-tuned classifier or regressor from train classify --out)." : null
        : string.IsNullOrWhiteSpace(Task) || string.IsNullOrWhiteSpace(Data) ? "--model needs --task NAME and --data DIR (the GLUE task it was fine-tuned on, and its folder)."
        : null;
}
