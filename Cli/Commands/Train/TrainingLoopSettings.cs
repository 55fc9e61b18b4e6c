using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Train;

/// <summary>
/// Options shared by the <c>train</c> verbs that fine-tune a pretrained encoder in the shared training loop
/// (<c>train classify</c>, <c>train embed</c>, <c>train context-compressor</c>, <c>train context-reconstruction</c>): the encoder to start from,
/// the loop's settings, the input length, the seed, checkpoints and the JSON result. A verb's own defaults for the
/// learning rate and the input length come from <see cref="DefaultLearningRate"/> and <see cref="DefaultMaxTokens"/>.
/// </summary>
public abstract class TrainingLoopSettings : CommandSettings
{
    /// <summary>Encoder to start from.</summary>
    [CommandOption("--encoder <NAME|DIR>")]
    [Description("Pretrained encoder name or model folder to start from. Default all-MiniLM-L6-v2.")]
    public string? Encoder { get; init; }

    /// <summary>Rows per step.</summary>
    [CommandOption("--batch-size <N>")]
    [Description("Rows (texts or pairs) per step. Default 32.")]
    public int BatchSize { get; init; } = 32;

    /// <summary>Passes over the rows.</summary>
    [CommandOption("--epochs <N>")]
    [Description("Passes over the training rows. Default 1.")]
    public int Epochs { get; init; } = 1;

    /// <summary>Step cap.</summary>
    [CommandOption("--max-steps <N>")]
    [Description("Stop after N steps (default: all --epochs); the learning-rate schedule spans the steps that run.")]
    public int? MaxSteps { get; init; }

    /// <summary>Peak learning rate; null for the verb's default.</summary>
    [CommandOption("--learning-rate <LR>")]
    [Description("Peak learning rate. Default: 2e-5 for train embed, 5e-5 for train classify and train context-compressor, 5e-4 for train context-reconstruction (its decoder starts from scratch).")]
    public double? LearningRate { get; init; }

    /// <summary>Warmup fraction.</summary>
    [CommandOption("--warmup <FRACTION>")]
    [Description("Fraction of the steps of linear learning-rate warmup. Default 0.1.")]
    public double Warmup { get; init; } = 0.1;

    /// <summary>Length-bucketed batches.</summary>
    [CommandOption("--length-buckets <N>")]
    [Description("Batch rows of similar token length: sort the shuffled rows by length within windows of N batches, then shuffle the batches (0: off, the default; 50-100 removes most padding).")]
    public int LengthBuckets { get; init; }

    /// <summary>Longest input in word pieces; null for the verb's default.</summary>
    [CommandOption("--max-tokens <N>")]
    [Description("Longest training input in word pieces, [[CLS]] and [[SEP]] included. Default: 128 for train classify, train embed and train context-compressor, 64 for train context-reconstruction.")]
    public int? MaxTokens { get; init; }

    /// <summary>Seed.</summary>
    [CommandOption("--seed <N>")]
    [Description("Seed of the data order, initialisation and dropout. Default 42.")]
    public int Seed { get; init; } = 42;

    /// <summary>Checkpoint folder.</summary>
    [CommandOption("--checkpoint-dir <DIR>")]
    [Description("Write checkpoints here; a rerun with the same settings resumes from them.")]
    public string? CheckpointDirectory { get; init; }

    /// <summary>JSON result file.</summary>
    [CommandOption("--json <FILE>")]
    [Description("Write the results as JSON.")]
    public string? Json { get; init; }

    /// <summary>The verb's learning rate when <c>--learning-rate</c> is not given.</summary>
    protected abstract double DefaultLearningRate { get; }

    /// <summary>The verb's input length when <c>--max-tokens</c> is not given.</summary>
    protected virtual int DefaultMaxTokens => 128;

    /// <summary><c>--encoder</c>, or all-MiniLM-L6-v2.</summary>
    internal string EncoderName => Encoder ?? "all-MiniLM-L6-v2";

    /// <summary><c>--learning-rate</c>, or the verb's default.</summary>
    internal double PeakLearningRate => LearningRate ?? DefaultLearningRate;

    /// <summary><c>--max-tokens</c>, or the verb's default.</summary>
    internal int InputTokens => MaxTokens ?? DefaultMaxTokens;

    /// <summary>Checks the shared options; a verb's <see cref="CommandSettings.Validate"/> ends with it.</summary>
    protected ValidationResult ValidateTrainingLoop() =>
        BatchSize < 1 ? ValidationResult.Error($"--batch-size must be at least 1, got {BatchSize}.")
        : Epochs < 1 ? ValidationResult.Error($"--epochs must be at least 1, got {Epochs}.")
        : MaxSteps is < 1 ? ValidationResult.Error($"--max-steps must be at least 1, got {MaxSteps}.")
        : LearningRate is { } lr && !(lr > 0) ? ValidationResult.Error($"--learning-rate must be positive, got {lr}.")
        : !(Warmup is >= 0 and < 1) ? ValidationResult.Error($"--warmup must be a fraction in [0, 1), got {Warmup}.")
        : LengthBuckets < 0 ? ValidationResult.Error($"--length-buckets must not be negative, got {LengthBuckets}.")
        : MaxTokens is < 3 ? ValidationResult.Error($"--max-tokens must leave room for one word piece besides the two special tokens (at least 3), got {MaxTokens}.")
        : ValidationResult.Success();
}
