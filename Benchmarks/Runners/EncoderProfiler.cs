using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MLNetExt.Transforms;

namespace MLNetExt.Benchmarks.Runners;

/// <summary>
/// Runs ONNX Runtime's profiler over full batches of an encoder graph (random word pieces between [CLS] and [SEP], no
/// padding) and sums the kernel time per operator type: shows where the encoder's time goes.
/// </summary>
public static class EncoderProfiler
{
    /// <summary>Profiles <paramref name="runs"/> runs of <paramref name="model"/>'s graph after one warm-up run.</summary>
    /// <param name="model">The encoder (original or fused graph).</param>
    /// <param name="rows">Rows per batch.</param>
    /// <param name="tokens">Tokens per row (at least 2).</param>
    /// <param name="runs">Profiled runs.</param>
    /// <param name="threads">ONNX Runtime intra-op threads.</param>
    /// <param name="cancellationToken">Stops between runs.</param>
    public static EncoderProfile Profile(EncoderModel model, int rows, int tokens, int runs, int threads, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        string prefix = Path.Combine(Path.GetTempPath(), $"mlnetext-profile-{Guid.NewGuid():N}");
        using var options = new SessionOptions { IntraOpNumThreads = threads, EnableProfiling = true, ProfileOutputPathPrefix = prefix };
        using var session = new InferenceSession(model.ReadOnnxBytes(), options);

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
        var clock = Stopwatch.StartNew();
        for (int r = 0; r < runs; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Run();
        }
        double seconds = clock.Elapsed.TotalSeconds;
        string file = session.EndProfiling();
        try
        {
            return new EncoderProfile(KernelTimes(file), seconds / runs, rows * runs / seconds, rows, tokens, runs, threads);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static List<KeyValuePair<string, long>> KernelTimes(string profileFile)
    {
        var byOperator = new Dictionary<string, long>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(File.ReadAllText(profileFile));
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
        return [.. byOperator.OrderByDescending(p => p.Value)];
    }
}
