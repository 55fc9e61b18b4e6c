using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Eval;

/// <summary>Options shared by the <c>eval</c> verbs that run a text encoder.</summary>
public abstract class EvalEncoderSettings : CommandSettings
{
    /// <summary>The encoder.</summary>
    [CommandOption("--model <NAME|DIR>")]
    [Description("Encoder: all-MiniLM-L6-v2 (minilm), snowflake-arctic-embed-xs (arctic-xs) or a model folder. Default all-MiniLM-L6-v2.")]
    public string? Model { get; init; }

    /// <summary>Encoder batch size.</summary>
    [CommandOption("--batch-size <N>")]
    [Description("Rows per ONNX Runtime call. Default 32.")]
    public int BatchSize { get; init; } = 32;

    /// <summary>ONNX Runtime threads.</summary>
    [CommandOption("--threads <N>")]
    [Description("ONNX Runtime intra-op threads. Default: ONNX Runtime's choice.")]
    public int? Threads { get; init; }

    /// <summary>Run the model's graph as it is instead of the fused graph EncodeText runs by default.</summary>
    [CommandOption("--no-fuse")]
    [Description("Run the model's ONNX graph as it is (by default a BERT graph runs re-emitted with ONNX Runtime's fused kernels: same weights, faster).")]
    public bool NoFuse { get; init; }

    /// <summary>JSON output.</summary>
    [CommandOption("--json <FILE>")]
    [Description("Write the results as JSON.")]
    public string? Json { get; init; }

    /// <summary>Checks the shared options.</summary>
    protected ValidationResult ValidateEncoder() =>
        BatchSize < 1 ? ValidationResult.Error($"--batch-size must be at least 1, got {BatchSize}.")
        : Threads is < 1 ? ValidationResult.Error($"--threads must be at least 1, got {Threads}.")
        : ValidationResult.Success();
}
