using System.ComponentModel;
using System.Globalization;
using MLNetExt.Transforms;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Train;

/// <summary>
/// <see cref="TrainingLoopSettings"/> for the verbs that score held-out data during training and keep the best step
/// (<c>train embed</c>, <c>train classify</c>), and pool the encoder's tokens into one vector: the evaluation schedule,
/// early stopping, which weights to keep, and the pooling.
/// </summary>
public abstract class EvaluatedTrainingLoopSettings : TrainingLoopSettings
{
    /// <summary>Evaluation during training: <c>epoch</c> or a number of steps.</summary>
    [CommandOption("--eval-every <epoch|N>")]
    [Description("Score the verb's evaluation set during training, at each epoch end ('epoch') or every N steps; the model ends with the best " +
        "evaluation's weights (so the held-out score selects the model and is optimistic). train classify scores dev by the task's GLUE measure " +
        "(accuracy; F1 for MRPC; MCC for CoLA; Spearman for STS-B); train embed scores --eval-sts / --eval-beir, the first deciding.")]
    public string? EvalEvery { get; init; }

    /// <summary>Early-stopping patience.</summary>
    [CommandOption("--early-stopping <N>")]
    [Description("Stop after N evaluations without improvement (needs --eval-every).")]
    public int EarlyStopping { get; init; }

    /// <summary>Keep the last step's weights.</summary>
    [CommandOption("--keep-last")]
    [Description("With --eval-every: end with the last step's weights instead of the best evaluation's.")]
    public bool KeepLast { get; init; }

    /// <summary>Pooling: mean or cls.</summary>
    [CommandOption("--pooling <MODE>")]
    [Description("Sentence pooling: mean or cls (default: the encoder's own, mean for all-MiniLM-L6-v2).")]
    public string? Pooling { get; init; }

    /// <summary><c>--eval-every</c> as the training loop takes it: 0 for each epoch end, N steps, null when not given.</summary>
    internal int? EvaluationSteps => EvalEvery is null ? null : ParseEvery(EvalEvery);

    /// <summary><c>--pooling</c>, or null for the encoder's own.</summary>
    internal EncoderPooling? PoolingMode => Pooling switch { "mean" => EncoderPooling.Mean, "cls" => EncoderPooling.Cls, _ => null };

    /// <summary>Checks these options and the shared loop's; a verb's <see cref="CommandSettings.Validate"/> ends with it.</summary>
    protected ValidationResult ValidateEvaluatedTrainingLoop() =>
        EvalEvery is not null && ParseEvery(EvalEvery) is null ? ValidationResult.Error($"--eval-every must be 'epoch' or a positive number of steps, got '{EvalEvery}'.")
        : EarlyStopping < 0 ? ValidationResult.Error($"--early-stopping must not be negative, got {EarlyStopping}.")
        : EarlyStopping > 0 && EvalEvery is null ? ValidationResult.Error("--early-stopping needs --eval-every.")
        : KeepLast && EvalEvery is null ? ValidationResult.Error("--keep-last needs --eval-every (without it the model always ends with the last step's weights).")
        : Pooling is not (null or "mean" or "cls") ? ValidationResult.Error($"--pooling must be mean or cls, got '{Pooling}'.")
        : ValidateTrainingLoop();

    private static int? ParseEvery(string text) =>
        text == "epoch" ? 0 : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int steps) && steps > 0 ? steps : null;
}
