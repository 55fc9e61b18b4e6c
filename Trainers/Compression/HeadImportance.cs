using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Compression;

/// <summary>
/// Importance of every attention head for a task, as in Michel, Levy and Neubig 2019 ("Are Sixteen Heads Really Better
/// than One?"): each head's output is multiplied by a mask variable fixed at 1, and the head's importance is the
/// magnitude of the loss's gradient with respect to its mask, accumulated over batches of data; scores are then
/// normalised per layer (L2), which the paper found matters for pruning across layers. Works for any
/// <see cref="ITrainingTask{TBatch}"/> over a <see cref="BertModel"/>: a classifier's task loss, or the
/// distillation MSE of a sentence encoder to its unpruned teacher.
/// </summary>
public static class HeadImportance
{
    /// <summary>Scores [layer][head] of the heads of <paramref name="encoder"/> for the loss of <paramref name="task"/>.</summary>
    /// <param name="task">Its loss is differentiated; its module is put in eval mode (no dropout) and its parameters get no gradients.</param>
    /// <param name="encoder">The encoder inside <paramref name="task"/>'s module whose heads are scored.</param>
    /// <param name="batches">Batches to accumulate over (fewer when the data runs out).</param>
    /// <param name="batchSize">Rows per batch.</param>
    /// <param name="seed">Seed of the row order.</param>
    /// <param name="normalizePerLayer">Divide each layer's scores by their L2 norm (Michel et al.'s default).</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batches"/> or <paramref name="batchSize"/> is below 1, or the task has no rows.</exception>
    public static float[][] Compute<TBatch>(ITrainingTask<TBatch> task, BertModel encoder, int batches = 32, int batchSize = 32, int seed = 42,
        bool normalizePerLayer = true, CancellationToken cancellationToken = default) where TBatch : IDisposable
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (task.TrainingRowCount < 1)
            throw new ArgumentOutOfRangeException(nameof(task), task.TrainingRowCount, "Head importance needs at least one row of data; got 0.");

        BertSelfAttention[] attention = encoder.Layers.Select(l => l.Attention.SelfAttention).ToArray();
        var scores = attention.Select(a => new double[a.Heads]).ToArray();
        var frozen = task.Module.parameters().Select(p => (Parameter: p, p.requires_grad)).ToArray();
        bool wasTraining = task.Module.training;
        Tensor[] masks = attention.Select(a => ones(a.Heads, requires_grad: true)).ToArray();
        try
        {
            foreach (var (parameter, _) in frozen)
                parameter.requires_grad = false;
            for (int i = 0; i < attention.Length; i++)
                attention[i].HeadMask = masks[i];
            task.Module.eval();

            int[] order = Enumerable.Range(0, task.TrainingRowCount).ToArray();
            new Random(seed).Shuffle(order);
            for (int b = 0; b < batches && b * batchSize < order.Length; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                using TBatch batch = task.PrepareBatch(order[(b * batchSize)..Math.Min(order.Length, (b + 1) * batchSize)]);
                task.LossAndGradients(batch);
                for (int i = 0; i < masks.Length; i++)
                {
                    float[] gradient = masks[i].grad!.data<float>().ToArray();
                    for (int h = 0; h < gradient.Length; h++)
                        scores[i][h] += Math.Abs(gradient[h]);
                    masks[i].grad!.zero_();
                }
            }
        }
        finally
        {
            foreach (BertSelfAttention a in attention)
                a.HeadMask = null;
            foreach (Tensor mask in masks)
                mask.Dispose();
            foreach (var (parameter, requiresGrad) in frozen)
                parameter.requires_grad = requiresGrad;
            task.Module.train(wasTraining);
        }

        return scores.Select(layer =>
        {
            double norm = normalizePerLayer ? Math.Sqrt(layer.Sum(s => s * s)) : 1;
            return layer.Select(s => (float)(norm > 0 ? s / norm : s)).ToArray();
        }).ToArray();
    }

    /// <summary>
    /// The heads to keep when a <paramref name="fraction"/> of all heads is removed: the least important heads overall
    /// (one global ranking), never the last head of a layer; kept heads in ascending order per layer.
    /// </summary>
    /// <param name="scores">Importance [layer][head], e.g. from <see cref="Compute"/>.</param>
    /// <param name="fraction">Share of all heads to remove, in (0, 1); the count is rounded to the nearest head.</param>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not in (0, 1), removes no head, or would leave a layer without heads; the message names the value.</exception>
    public static IReadOnlyList<IReadOnlyList<int>> SelectHeadsToKeep(IReadOnlyList<IReadOnlyList<float>> scores, double fraction)
    {
        ArgumentNullException.ThrowIfNull(scores);
        CheckFraction(fraction);
        int total = scores.Sum(l => l.Count), layers = scores.Count;
        int remove = (int)Math.Round(fraction * total, MidpointRounding.AwayFromZero);
        if (remove < 1)
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, $"Pruning {fraction} of {total} heads removes no head; raise the fraction to at least {0.5 / total:0.###}.");
        if (remove > total - layers)
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction,
                $"Pruning {fraction} of {total} heads removes {remove}, which would leave a layer without heads ({layers} layers need one each); the most is {(total - layers) / (double)total:0.###}.");

        var left = scores.Select(l => l.Count).ToArray();
        var removed = new HashSet<(int Layer, int Head)>();
        foreach (var (layer, head, _) in scores.SelectMany((l, i) => l.Select((s, h) => (Layer: i, Head: h, Score: s)))
                     .OrderBy(x => x.Score).ThenBy(x => x.Layer).ThenBy(x => x.Head))
        {
            if (removed.Count == remove)
                break;
            if (left[layer] > 1)
            {
                removed.Add((layer, head));
                left[layer]--;
            }
        }
        return scores.Select((l, i) => (IReadOnlyList<int>)Enumerable.Range(0, l.Count).Where(h => !removed.Contains((i, h))).ToArray()).ToArray();
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless 0 &lt; <paramref name="fraction"/> &lt; 1.</summary>
    internal static void CheckFraction(double fraction, string name = "fraction")
    {
        if (!(fraction > 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(name, fraction, $"The fraction of heads to prune must be in (0, 1), exclusive; got {fraction}.");
    }
}
