using MLNetExt.Trainers.Training;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Pretraining;

/// <summary>One step's masked words: their encoder states and the word pieces to predict.</summary>
internal sealed class MaskedWordBatch(Tensor states, Tensor targets) : IDisposable
{
    public Tensor States { get; } = states;

    public Tensor Targets { get; } = targets;

    public void Dispose()
    {
        States.Dispose();
        Targets.Dispose();
    }
}

/// <summary>
/// The head's training task on the shared loop: one loop row per masked word (its precomputed state and target
/// piece), cross-entropy over the vocabulary, held-out top-1/top-5 at each evaluation.
/// </summary>
internal sealed class MaskedLanguageModelTask(MaskedLanguageModelHeadModule head, MaskedWords training, MaskedWords heldOut) : ITrainingTask<MaskedWordBatch>
{
    public const string Top1 = "top1";
    public const string Top5 = "top5";

    public nn.Module Module => head;

    public int TrainingRowCount => training.Count;

    public string? PrimaryMetric => heldOut.Count > 0 ? Top1 : null;

    public bool HigherIsBetter => true;

    public MaskedWordBatch PrepareBatch(IReadOnlyList<int> rows) => Gather(training, rows);

    public Tensor Loss(MaskedWordBatch batch) => nn.functional.cross_entropy(head.forward(batch.States), batch.Targets);

    public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken)
    {
        (double top1, double top5) = Accuracy(heldOut, cancellationToken);
        return new Dictionary<string, double> { [Top1] = top1, [Top5] = top5 };
    }

    /// <summary>Top-1 and top-5 accuracy of the head over the whole vocabulary.</summary>
    public (double Top1, double Top5) Accuracy(MaskedWords words, CancellationToken cancellationToken)
    {
        if (words.Count == 0)
            return (double.NaN, double.NaN);
        long hit1 = 0, hit5 = 0;
        head.eval();
        using var noGrad = no_grad();
        for (int start = 0; start < words.Count; start += 512)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using MaskedWordBatch batch = Gather(words, Enumerable.Range(start, Math.Min(512, words.Count - start)).ToArray());
            Tensor top = head.forward(batch.States).topk(5, dim: 1).indexes;
            Tensor matches = top.eq(batch.Targets.unsqueeze(1));
            hit1 += matches.select(1, 0).sum().item<long>();
            hit5 += matches.any(dim: 1).sum().item<long>();
        }
        return (hit1 / (double)words.Count, hit5 / (double)words.Count);
    }

    private static MaskedWordBatch Gather(MaskedWords words, IReadOnlyList<int> rows)
    {
        int hidden = words.Hidden;
        var states = new float[rows.Count * hidden];
        var targets = new long[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            Array.Copy(words.States, (long)rows[i] * hidden, states, (long)i * hidden, hidden);
            targets[i] = words.Targets[rows[i]];
        }
        return new MaskedWordBatch(tensor(states).reshape(rows.Count, hidden), tensor(targets));
    }
}

/// <summary>Masked words ready for the head: the encoder's state at each <c>[MASK]</c> and the piece it hid.</summary>
internal sealed record MaskedWords(float[] States, int[] Targets, int Hidden)
{
    public int Count => Targets.Length;
}
