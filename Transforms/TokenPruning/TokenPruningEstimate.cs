using MLNetExt.Transforms.Onnx;

namespace MLNetExt.Transforms.TokenPruning;

/// <summary>
/// The work a keep schedule saves, estimated from the FLOPs of the encoder's layers before anything runs
/// (<see cref="Estimate"/>): what the schedule should give, to set beside what it does give.
/// </summary>
/// <param name="Schedule">The schedule estimated.</param>
/// <param name="FullFlops">Floating-point operations of the unpruned layers over the sentences.</param>
/// <param name="PrunedFlops">The same with the schedule, token scoring included.</param>
/// <param name="TokensPerLayer">Mean tokens per sentence each layer processes with the schedule.</param>
public sealed record TokenPruningEstimate(TokenKeepSchedule Schedule, double FullFlops, double PrunedFlops, IReadOnlyList<double> TokensPerLayer)
{
    /// <summary>The expected speed-up of the transformer layers: <see cref="FullFlops"/> / <see cref="PrunedFlops"/>.</summary>
    public double Speedup => PrunedFlops > 0 ? FullFlops / PrunedFlops : 1;

    /// <summary>
    /// FLOPs of the transformer layers (projections, attention products and feed-forward, multiply and add counted
    /// separately; the embeddings, norms and the head are left out, being a small share) over sentences of the given
    /// token lengths, unpruned and with <paramref name="schedule"/>. Padding is not counted, as length-sorted batches
    /// leave little of it.
    /// </summary>
    /// <param name="config">The encoder's shape.</param>
    /// <param name="schedule">The keep schedule, one fraction per layer of <paramref name="config"/>.</param>
    /// <param name="lengths">Real token counts of the sentences ([CLS] and [SEP] included), e.g. of a dev set.</param>
    /// <exception cref="ArgumentException">The schedule is for another layer count, or there are no lengths.</exception>
    public static TokenPruningEstimate Estimate(BertConfig config, TokenKeepSchedule schedule, IReadOnlyList<int> lengths)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(lengths);
        if (schedule.LayerCount != config.LayerCount)
            throw new ArgumentException($"The token keep schedule ({schedule}) has {schedule.LayerCount} fractions but the encoder has {config.LayerCount} layers.", nameof(schedule));
        if (lengths.Count == 0)
            throw new ArgumentException("The estimate needs at least one sentence length.", nameof(lengths));
        double full = 0, pruned = 0;
        var tokens = new double[config.LayerCount];
        foreach (int length in lengths)
        {
            for (int l = 0; l < config.LayerCount; l++)
            {
                int n = schedule.KeptTokens(l, length);
                tokens[l] += n;
                full += LayerFlops(config, l, length);
                pruned += LayerFlops(config, l, n);
                // Ranking the tokens for the next layer: one pass over this layer's attention probabilities.
                if (schedule.PrunesAfter(l))
                    pruned += (double)config.HeadsPerLayer[l] * n * n;
            }
        }
        return new TokenPruningEstimate(schedule, full, pruned, tokens.Select(t => t / lengths.Count).ToArray());
    }

    /// <summary>FLOPs of layer <paramref name="layer"/> on <paramref name="tokens"/> tokens.</summary>
    public static double LayerFlops(BertConfig config, int layer, int tokens)
    {
        ArgumentNullException.ThrowIfNull(config);
        double n = tokens, h = config.HiddenSize, width = (double)config.HeadsPerLayer[layer] * config.HeadSize;
        double projections = 2 * n * h * width * 4;              // query, key, value and the output projection
        double attention = 2 * 2 * n * n * width;                // scores and the weighted sum of values, all heads
        double feedForward = 2 * 2 * n * h * config.IntermediateSize;
        return projections + attention + feedForward;
    }

    /// <summary>The estimate in one line: schedule, expected speed-up and mean tokens per layer.</summary>
    public override string ToString() =>
        $"{Schedule}: expected {Speedup:F2}x (tokens per layer {string.Join(" ", TokensPerLayer.Select(t => t.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))})";
}
