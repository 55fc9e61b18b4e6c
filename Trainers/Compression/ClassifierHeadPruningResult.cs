using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;

namespace MLNetExt.Trainers.Compression;

/// <summary>What <see cref="ClassifierHeadPruningTrainer.Train"/> returns: the pruned classifier, which heads went and why, and the training runs.</summary>
public sealed class ClassifierHeadPruningResult
{
    internal ClassifierHeadPruningResult(EncoderFineTuningTransformer pruned, HeadPruningMethod method, IReadOnlyList<IReadOnlyList<float>> scores,
        IReadOnlyList<IReadOnlyList<int>> keptHeads, TrainingResult? routing, TrainingResult? recovery, double seconds)
    {
        Pruned = pruned;
        Method = method;
        Scores = scores;
        KeptHeads = keptHeads;
        Routing = routing;
        Recovery = recovery;
        Seconds = seconds;
    }

    /// <summary>The pruned (and recovered) classifier; its graph holds only the kept heads. Save it with <see cref="EncoderFineTuningTransformer.Save"/>. The caller disposes it.</summary>
    public EncoderFineTuningTransformer Pruned { get; }

    /// <summary>How the heads were chosen.</summary>
    public HeadPruningMethod Method { get; }

    /// <summary>
    /// Score [layer][head] of the original heads that ranked them: importance (gradient magnitude of the task loss
    /// w.r.t. each head's mask) for <see cref="HeadPruningMethod.Importance"/>, the router's Top-1 usage (share of
    /// tokens routed to the head) for <see cref="HeadPruningMethod.Shrp"/>.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<float>> Scores { get; }

    /// <summary>Original indices of the heads kept, per layer.</summary>
    public IReadOnlyList<IReadOnlyList<int>> KeptHeads { get; }

    /// <summary>Heads before pruning.</summary>
    public int HeadsBefore => Scores.Sum(l => l.Count);

    /// <summary>Heads after pruning.</summary>
    public int HeadsAfter => KeptHeads.Sum(l => l.Count);

    /// <summary>Removed heads as <c>layer:head</c>, in layer order (the pruning report).</summary>
    public IReadOnlyList<string> RemovedHeads =>
        Scores.SelectMany((l, i) => Enumerable.Range(0, l.Count).Where(h => !KeptHeads[i].Contains(h)).Select(h => $"{i}:{h}")).ToArray();

    /// <summary>SHRP's routing phase (router and expanders trained with the task loss); null for importance pruning.</summary>
    public TrainingResult? Routing { get; }

    /// <summary>The recovery fine-tune of the pruned classifier; null when it was switched off.</summary>
    public TrainingResult? Recovery { get; }

    /// <summary>Wall-clock seconds of the whole pruning (scoring or routing, cutting, recovery, export).</summary>
    public double Seconds { get; }

    /// <summary>The pruning in one line: method, heads kept per layer, and the removed heads.</summary>
    public override string ToString() =>
        $"{Method}: {HeadsAfter} of {HeadsBefore} heads kept (per layer {string.Join(",", KeptHeads.Select(k => k.Count))}); removed {string.Join(" ", RemovedHeads)}";
}
