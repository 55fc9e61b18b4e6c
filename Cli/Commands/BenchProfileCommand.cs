using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands;

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
        string prefix = Path.Combine(Path.GetTempPath(), $"mlnetext-profile-{Guid.NewGuid():N}");
        using var options = new SessionOptions { IntraOpNumThreads = settings.Threads, EnableProfiling = true, ProfileOutputPathPrefix = prefix };
        using var session = new InferenceSession(model.ReadOnnxBytes(), options);

        int rows = settings.Batch, tokens = settings.Tokens;
        var shape = new long[] { rows, tokens };
        var ids = new long[rows * tokens];
        var mask = new long[rows * tokens];
        var types = new long[rows * tokens];
        var random = new Random(1);
        for (int i = 0; i < ids.Length; i++)
        {
            // [CLS] ... [SEP] with ordinary word pieces in between.
            int position = i % tokens;
            ids[i] = position == 0 ? 101 : position == tokens - 1 ? 102 : random.Next(1996, 29000);
            mask[i] = 1;
        }
        string[] inputs = session.InputMetadata.Keys.ToArray();
        string output = session.OutputMetadata.ContainsKey("last_hidden_state") ? "last_hidden_state" : session.OutputMetadata.Keys.First();
        long[] Values(string name) => name switch { "input_ids" => ids, "attention_mask" => mask, _ => types };

        void Run()
        {
            var values = inputs.Select(n => OrtValue.CreateTensorValueFromMemory(Values(n), shape)).ToArray();
            try
            {
                using var runOptions = new RunOptions();
                using var results = session.Run(runOptions, inputs, values, [output]);
            }
            finally
            {
                foreach (OrtValue value in values)
                    value.Dispose();
            }
        }

        Run(); // warm-up: its node events are left out below
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int r = 0; r < settings.Runs; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Run();
        }
        double seconds = clock.Elapsed.TotalSeconds;
        string file = session.EndProfiling();
        var byOperator = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            JsonElement[] events = document.RootElement.EnumerateArray().ToArray();
            long warmUpEnd = events.Where(e => e.GetProperty("name").GetString() == "model_run")
                .Select(e => e.GetProperty("ts").GetInt64() + e.GetProperty("dur").GetInt64()).DefaultIfEmpty(0).Min();
            foreach (JsonElement e in events)
            {
                if (e.GetProperty("ts").GetInt64() < warmUpEnd ||
                    e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal) ||
                    !e.TryGetProperty("args", out JsonElement args) || !args.TryGetProperty("op_name", out JsonElement op))
                    continue;
                string name = op.GetString()!;
                byOperator[name] = byOperator.GetValueOrDefault(name) + e.GetProperty("dur").GetInt64();
            }
        }
        finally
        {
            File.Delete(file);
        }

        long total = Math.Max(1, byOperator.Values.Sum());
        var table = new Table().Title($"{Markup.Escape(model.Name)}{(settings.NoFuse ? ", graph as it is" : ", fused graph")}: {rows} x {tokens} tokens, {settings.Threads} threads")
            .AddColumn("operator").AddColumn(new TableColumn("share of kernel time").RightAligned());
        foreach (var (name, micros) in byOperator.OrderByDescending(p => p.Value).Where(p => p.Value * 1000 >= total))
            table.AddRow(name, (100.0 * micros / total).ToString("F1", CultureInfo.InvariantCulture) + " %");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"{settings.Runs} profiled runs: {1000 * seconds / settings.Runs:F0} ms per batch, {rows * settings.Runs / seconds:F1} rows/s"));
        return 0;
    }
}
