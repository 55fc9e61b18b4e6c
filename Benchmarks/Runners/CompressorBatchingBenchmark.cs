using System.Diagnostics;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Transforms;

namespace MLNetExt.Benchmarks.Runners;

/// <summary>Texts per second of a learned compressor's two routes over the same token states, and how far apart their vectors are.</summary>
/// <param name="Texts">Texts compressed per round.</param>
/// <param name="Ratio">Word pieces per vector.</param>
/// <param name="BatchSize">Texts per run of the compressor graph on the batched route.</param>
/// <param name="Rounds">Timed rounds per route (routes alternate; the median round counts).</param>
/// <param name="OneAtATimeSeconds">Median seconds of one round through <see cref="LearnedContextCompressor.Compress"/>, text by text.</param>
/// <param name="BatchedSeconds">Median seconds of one round through the batched route <c>eval beir --multi-vector --compressor</c> takes.</param>
/// <param name="MaxAbsoluteDifference">Largest difference of one vector value between the routes.</param>
public sealed record CompressorBatchingTiming(int Texts, int Ratio, int BatchSize, int Rounds, double OneAtATimeSeconds, double BatchedSeconds,
    double MaxAbsoluteDifference)
{
    /// <summary>Texts per second one at a time.</summary>
    public double OneAtATimePerSecond => Texts / OneAtATimeSeconds;

    /// <summary>Texts per second batched.</summary>
    public double BatchedPerSecond => Texts / BatchedSeconds;

    /// <summary>How many times faster the batched route is.</summary>
    public double Speedup => OneAtATimeSeconds / BatchedSeconds;
}

/// <summary>
/// Times a trained compressor's graph alone (the encoder's token states given) on its two routes in one process:
/// one text per ONNX Runtime run (<see cref="LateInteractionVariants.Learned"/> with batch size 1) and the batched
/// route of late-interaction retrieval (texts of similar length together, one run per batch).
/// </summary>
public static class CompressorBatchingBenchmark
{
    /// <summary>Runs both routes <paramref name="rounds"/> times, alternating, after one untimed warm-up each.</summary>
    /// <param name="compressor">The compressor.</param>
    /// <param name="tokenStates">Each text's token states from <see cref="LearnedContextCompressor.Encoder"/>.</param>
    /// <param name="ratio">Word pieces per vector: 1, 2, 4 or 8.</param>
    /// <param name="batchSize">Texts per run on the batched route (at least 2).</param>
    /// <param name="rounds">Timed rounds per route.</param>
    /// <param name="cancellationToken">Stops between rounds.</param>
    public static CompressorBatchingTiming Run(LearnedContextCompressor compressor, IReadOnlyList<float[]> tokenStates, int ratio,
        int batchSize = 32, int rounds = 3, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compressor);
        ArgumentNullException.ThrowIfNull(tokenStates);
        if (tokenStates.Count == 0)
            throw new ArgumentException("Give at least one text's token states.", nameof(tokenStates));
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        int hidden = compressor.Encoder.Config.HiddenSize;
        MultiVectorVariant alone = LateInteractionVariants.Learned(compressor, ratio, batchSize: 1);
        MultiVectorVariant batched = LateInteractionVariants.Learned(compressor, ratio, batchSize: batchSize);
        ReadOnlyMemory<float>[] states = tokenStates.Select(s => (ReadOnlyMemory<float>)s).ToArray();

        float[][] OneAtATime() => tokenStates.Select(s => alone.DocumentVectors(s, hidden)).ToArray();
        float[][] Batched() => batched.DocumentBatchVectors!(states, hidden);

        float[][] reference = OneAtATime(), fromBatches = Batched();
        double worst = 0;
        for (int t = 0; t < reference.Length; t++)
        {
            if (reference[t].Length != fromBatches[t].Length)
                throw new InvalidOperationException($"Text {t}: {reference[t].Length} floats one at a time, {fromBatches[t].Length} batched.");
            for (int i = 0; i < reference[t].Length; i++)
                worst = Math.Max(worst, Math.Abs(reference[t][i] - fromBatches[t][i]));
        }

        var oneSeconds = new List<double>();
        var batchSeconds = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            oneSeconds.Add(Time(() => OneAtATime()));
            batchSeconds.Add(Time(() => Batched()));
        }
        return new CompressorBatchingTiming(tokenStates.Count, ratio, batchSize, rounds, Median(oneSeconds), Median(batchSeconds), worst);
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
