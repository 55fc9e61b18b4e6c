using System.ComponentModel;
using System.Globalization;
using MLNetExt.Benchmarks.Runners;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms;
using MLNetExt.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Bench;

/// <summary>
/// <c>mlnetext bench profile</c>: ONNX Runtime's profiler over full batches of an encoder graph (fused, as EncodeText runs it by default, or as it is),
/// kernel time summed per operator type. Shows where the encoder's time goes.
/// </summary>
public sealed class BenchProfileCommand : Command<BenchProfileCommand.Settings>
{
    /// <summary>Options of <c>bench profile</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Pretrained name or model folder.</summary>
        [CommandOption("--model <NAME|DIR>")]
        [Description("Encoder: all-MiniLM-L6-v2 (default), snowflake-arctic-embed-xs or a model folder.")]
        public string Model { get; init; } = "all-MiniLM-L6-v2";

        /// <summary>Profile the model's graph as it is instead of the fused graph.</summary>
        [CommandOption("--no-fuse")]
        [Description("Profile the model's graph as it is (by default: the graph re-emitted with ONNX Runtime's fused kernels, as EncodeText runs it).")]
        public bool NoFuse { get; init; }

        /// <summary>Rows per batch.</summary>
        [CommandOption("--batch <N>")]
        public int Batch { get; init; } = 32;

        /// <summary>Tokens per row.</summary>
        [CommandOption("--tokens <N>")]
        public int Tokens { get; init; } = 254;

        /// <summary>Profiled runs (one warm-up run comes first and is not counted).</summary>
        [CommandOption("--runs <N>")]
        public int Runs { get; init; } = 3;

        /// <summary>ONNX Runtime intra-op threads.</summary>
        [CommandOption("--threads <N>")]
        public int Threads { get; init; } = 2;

        /// <inheritdoc/>
        public override ValidationResult Validate() =>
            Batch <= 0 || Tokens <= 1 || Runs <= 0 || Threads <= 0
                ? ValidationResult.Error("--batch, --runs and --threads must be positive and --tokens at least 2.")
                : ValidationResult.Success();
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        EncoderModel model = ModelArgument.Resolve(settings.Model);
        if (!settings.NoFuse)
            model = EncoderGraphFusion.Fuse(model);
        EncoderProfile profile = EncoderProfiler.Profile(model, settings.Batch, settings.Tokens, settings.Runs, settings.Threads, cancellationToken);

        var table = new Table().Title($"{Markup.Escape(model.Name)}{(settings.NoFuse ? ", graph as it is" : ", fused graph")}: {profile.Rows} x {profile.Tokens} tokens, {profile.Threads} threads")
            .AddColumn("operator").AddColumn(new TableColumn("share of kernel time").RightAligned());
        foreach (var (name, share) in profile.Shares())
            table.AddRow(name, share < 0.001 ? "< 0.1 %" : (100 * share).ToString("F1", CultureInfo.InvariantCulture) + " %");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"{profile.Runs} profiled runs: {1000 * profile.SecondsPerBatch:F0} ms per batch, {profile.RowsPerSecond:F1} rows/s"));
        return 0;
    }
}
