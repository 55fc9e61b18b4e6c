using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms.TokenPruning;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

/// <summary>
/// The token-pruned forward of the Latency Adjustable Transformer (Kachuee and Sharifkhani, "Latency Adjustable
/// Transformer Encoder for Language Understanding", 2022) in TorchSharp: after each layer every token is scored by its
/// attention context contribution, the attention it received from the real tokens summed over heads and queries
/// (a column sum of that layer's attention probabilities), and only the number the <see cref="TokenKeepSchedule"/>
/// gives goes on to the next layer, [CLS] always and padding never. A dropped token leaves the encoder with the state
/// it had when it was dropped: the sum of those states is kept so that mean pooling still averages every real token
/// (the dropped ones at their last state), not only the few the last layer saw. The same arithmetic as the ONNX graph of
/// <see cref="OnnxBertWriter.ToTokenPrunedBytes"/>, so training and serving prune the same tokens. Only the layers after
/// which the schedule cuts (<see cref="TokenKeepSchedule.PrunesAfter"/>) compute their attention probabilities; the
/// others run as in the unpruned model.
/// </summary>
public static class TokenPruning
{
    // Scores that put [CLS] first and padding last whatever the attention says.
    private const float Forced = 1e9f;

    /// <summary>
    /// Encodes a batch (as <see cref="BertModel.forward"/>) with <paramref name="schedule"/>: returns the last layer's
    /// states of the tokens it kept [batch, kept, hidden] (rows' own tokens first, [CLS] at position 0), their
    /// 0/1 mask [batch, kept], and the sum of the states of the tokens dropped on the way, each at the layer that
    /// dropped it [batch, hidden] (zeros when nothing was dropped).
    /// </summary>
    /// <exception cref="ArgumentException">The schedule is for another layer count.</exception>
    public static (Tensor Hidden, Tensor Mask, Tensor Dropped) Encode(BertModel bert, Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds, TokenKeepSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(bert);
        ArgumentNullException.ThrowIfNull(schedule);
        IReadOnlyList<BertLayer> layers = bert.Layers;
        if (schedule.LayerCount != layers.Count)
            throw new ArgumentException($"The token keep schedule ({schedule}) has {schedule.LayerCount} fractions but the encoder has {layers.Count} layers.", nameof(schedule));
        using var scope = NewDisposeScope();
        Tensor mask = attentionMask.to_type(ScalarType.Float32);
        Tensor realTokens = mask.sum(1, keepdim: true);
        Tensor x = bert.Embeddings.forward(inputIds, tokenTypeIds);
        Tensor dropped = zeros(x.shape[0], x.shape[2], dtype: x.dtype, device: x.device);
        for (int l = 0; l < layers.Count; l++)
        {
            Tensor additive = (1f - mask).unsqueeze(1).unsqueeze(1).mul(BertConfig.MaskedAttentionScore);
            if (!schedule.PrunesAfter(l))
            {
                // Nothing is ranked after this layer: it runs as in the unpruned model.
                x = layers[l].forward(x, additive);
                continue;
            }
            (x, Tensor probabilities) = layers[l].ForwardWithProbabilities(x, additive);
            Tensor before = MaskedSum(x, mask);
            (x, mask) = Prune(x, probabilities, mask, realTokens, schedule.Fractions[l + 1]);
            dropped = dropped + (before - MaskedSum(x, mask));
        }
        return (x.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope(), dropped.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The sentence vector [batch, hidden] of a pruned encoding: mean pooling (and its square-root variant) average
    /// every real token of the row, the kept ones at the last layer and the dropped ones at the layer that dropped
    /// them; [CLS] and max pooling look at the kept tokens only.
    /// </summary>
    public static Tensor Pool(Tensor hidden, Tensor mask, Tensor dropped, Tensor attentionMask, EncoderPooling pooling)
    {
        if (pooling is not (EncoderPooling.Mean or EncoderPooling.MeanSqrtLen))
            return Modules.Pooling.Pool(hidden, mask, pooling);
        using var scope = NewDisposeScope();
        Tensor count = attentionMask.to_type(ScalarType.Float32).sum(1, keepdim: true).clamp_min(1e-9);
        Tensor total = MaskedSum(hidden, mask) + dropped;
        return (pooling == EncoderPooling.Mean ? total / count : total / count.sqrt()).MoveToOuterDisposeScope();
    }

    private static Tensor MaskedSum(Tensor hidden, Tensor mask) => (hidden * mask.unsqueeze(-1)).sum(1);

    /// <summary>
    /// Keeps the <c>max(1, ceil(fraction * real tokens))</c> highest-contributing tokens of each row of
    /// <paramref name="hidden"/> [batch, seq, hidden]; returns the gathered states [batch, widest, hidden] and their mask.
    /// </summary>
    internal static (Tensor Hidden, Tensor Mask) Prune(Tensor hidden, Tensor probabilities, Tensor mask, Tensor realTokens, float fraction)
    {
        using var scope = NewDisposeScope();
        Tensor ranked;
        using (no_grad())
        {
            Tensor contribution = (probabilities * mask.unsqueeze(1).unsqueeze(3)).sum([1, 2]);
            ranked = contribution * mask + (mask - 1f) * Forced;
            ranked = cat([ranked.narrow(1, 0, 1) + 2 * Forced, ranked.narrow(1, 1, ranked.shape[1] - 1)], 1);
        }
        Tensor kept = (realTokens * fraction).ceil().clamp_min(1f);
        long widest = (long)kept.max().item<float>();
        (_, Tensor indices) = ranked.topk((int)widest, dim: 1, largest: true, sorted: true);
        Tensor gathered = hidden.gather(1, indices.unsqueeze(-1).expand(-1, -1, hidden.shape[2]));
        Tensor newMask = (arange(widest, dtype: ScalarType.Float32, device: hidden.device).unsqueeze(0) < kept).to_type(ScalarType.Float32);
        return (gathered.MoveToOuterDisposeScope(), newMask.MoveToOuterDisposeScope());
    }
}
