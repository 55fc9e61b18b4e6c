using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Compression;

/// <summary>What <see cref="EncoderHeadPruningTrainer.Train"/> returns: the pruned encoder, what was removed and why, and the recovery run.</summary>
public sealed class EncoderHeadPruningResult
{
    internal EncoderHeadPruningResult(EncoderModel pruned, HeadPruningMethod method, IReadOnlyList<IReadOnlyList<float>> importance,
        IReadOnlyList<IReadOnlyList<int>> keptHeads, TrainingResult? routing, TrainingResult? recovery)
    {
        Pruned = pruned;
        Method = method;
        Routing = routing;
        Importance = importance;
        KeptHeads = keptHeads;
        Recovery = recovery;
    }

    /// <summary>The pruned (and recovered) encoder; its graph holds only the kept heads. For <c>EncodeText</c>, int8 quantisation and <see cref="EncoderModel.Save"/>.</summary>
    public EncoderModel Pruned { get; }

    /// <summary>How the heads were chosen.</summary>
    public HeadPruningMethod Method { get; }

    /// <summary>
    /// The score [layer][head] of each original head that ranked them: importance (gradient magnitude of the loss w.r.t.
    /// each head's mask), or for SHRP each head's share of its layer's Top-1 routing.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<float>> Importance { get; }

    /// <summary>Original indices of the heads kept, per layer.</summary>
    public IReadOnlyList<IReadOnlyList<int>> KeptHeads { get; }

    /// <summary>Heads before pruning.</summary>
    public int HeadsBefore => Importance.Sum(l => l.Count);

    /// <summary>Heads after pruning.</summary>
    public int HeadsAfter => KeptHeads.Sum(l => l.Count);

    /// <summary>Removed heads as <c>layer:head</c>, in layer order (the pruning report).</summary>
    public IReadOnlyList<string> RemovedHeads =>
        Importance.SelectMany((l, i) => Enumerable.Range(0, l.Count).Where(h => !KeptHeads[i].Contains(h)).Select(h => $"{i}:{h}")).ToArray();

    /// <summary>SHRP's routing run; null for importance pruning.</summary>
    public TrainingResult? Routing { get; }

    /// <summary>The recovery fine-tune; null when it was switched off.</summary>
    public TrainingResult? Recovery { get; }

    /// <summary>The pruning in one line: heads kept, per layer, and the removed heads.</summary>
    public override string ToString() =>
        $"{Method}: {HeadsAfter} of {HeadsBefore} heads kept (per layer {string.Join(",", KeptHeads.Select(k => k.Count))}); removed {string.Join(" ", RemovedHeads)}";
}
