using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Losses;

/// <summary>
/// Multiple negatives ranking loss with GradCache (Gao et al. 2021, "Scaling Deep Contrastive Learning Batch Size
/// under Memory Limited Setup"; sentence-transformers' <c>CachedMultipleNegativesRankingLoss</c>): the same loss and
/// gradients as <see cref="MultipleNegativesRankingLoss"/> at a batch size that would not fit in memory.
/// </summary>
/// <remarks>
/// <para>Three passes per batch: (1) embed every mini-batch of <see cref="MiniBatchSize"/> rows without gradients;
/// (2) compute the loss on the cached embeddings and its gradient with respect to them; (3) embed each mini-batch again
/// with gradients, replaying the same dropout masks (the generator is reseeded per mini-batch), and back-propagate the
/// cached gradient into the encoder's parameters. Only one mini-batch's activations are alive at a time, so memory
/// follows the mini-batch while the in-batch negatives follow the full batch; the price is a second forward pass.</para>
/// <para>Input columns: as <see cref="MultipleNegativesRankingLoss"/> (anchor, positive, optional hard negatives).
/// Pick it when in-batch negatives need large batches (retrieval training) and memory is the limit.</para>
/// </remarks>
public sealed class CachedMultipleNegativesRankingLoss : SentenceEmbeddingLoss
{
    private readonly MultipleNegativesRankingLoss _ranking;

    /// <summary>Creates the loss.</summary>
    /// <param name="scale">Multiplier of the cosine similarities; sentence-transformers uses 20.</param>
    /// <param name="miniBatchSize">Rows embedded at once; sentence-transformers uses 32.</param>
    /// <param name="symmetric">Also score each positive against all anchors (see <see cref="MultipleNegativesRankingLoss.Symmetric"/>).</param>
    public CachedMultipleNegativesRankingLoss(double scale = 20.0, int miniBatchSize = 32, bool symmetric = false)
    {
        if (miniBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(miniBatchSize), miniBatchSize, "The mini-batch size must be at least 1.");
        _ranking = new MultipleNegativesRankingLoss(scale, symmetric);
        MiniBatchSize = miniBatchSize;
    }

    /// <summary>Rows embedded at once.</summary>
    public int MiniBatchSize { get; }

    /// <summary>Multiplier of the cosine similarities.</summary>
    public double Scale => _ranking.Scale;

    /// <inheritdoc/>
    public override SentenceLossInput Input => SentenceLossInput.AnchorPositive;

    /// <inheritdoc/>
    public override string Name => "cached-mnrl";

    /// <summary>The loss of given embeddings (identical to <see cref="MultipleNegativesRankingLoss.Forward"/>).</summary>
    public override Tensor Forward(IReadOnlyList<Tensor> embeddings, Tensor? targets) => _ranking.Forward(embeddings, targets);

    /// <inheritdoc/>
    public override Tensor LossAndGradients(SentenceEmbeddingModel encoder, ContrastiveBatch batch)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(batch);
        // One seed per mini-batch, drawn from the generator the training loop seeded for this step, so that the
        // second pass sees the dropout masks of the first.
        long baseSeed = randint(0, int.MaxValue, [1]).item<long>();
        var cached = new List<Tensor>();
        var seeds = new List<List<long>>();
        using (no_grad())
        {
            foreach (EncoderInputs column in batch.Columns)
            {
                var parts = new List<Tensor>();
                var columnSeeds = new List<long>();
                for (long start = 0; start < column.Rows; start += MiniBatchSize)
                {
                    using var scope = NewDisposeScope();
                    long seed = baseSeed + 7919L * cached.Count + start;
                    manual_seed(seed);
                    using EncoderInputs part = column.Slice(start, Math.Min(MiniBatchSize, column.Rows - start));
                    parts.Add(encoder.forward(part.InputIds, part.AttentionMask, part.TokenTypeIds).MoveToOuterDisposeScope());
                    columnSeeds.Add(seed);
                }
                cached.Add(cat(parts, 0).detach().requires_grad_(true));
                seeds.Add(columnSeeds);
            }
        }

        Tensor loss = Forward(cached, batch.Targets);
        loss.backward();

        for (int c = 0; c < batch.Columns.Count; c++)
        {
            EncoderInputs column = batch.Columns[c];
            Tensor gradient = cached[c].grad ?? throw new InvalidOperationException($"The loss did not depend on text column {c}.");
            int k = 0;
            for (long start = 0; start < column.Rows; start += MiniBatchSize, k++)
            {
                using var scope = NewDisposeScope();
                long rows = Math.Min(MiniBatchSize, column.Rows - start);
                manual_seed(seeds[c][k]);
                using EncoderInputs part = column.Slice(start, rows);
                Tensor embedded = encoder.forward(part.InputIds, part.AttentionMask, part.TokenTypeIds);
                (embedded * gradient.narrow(0, start, rows)).sum().backward();
            }
        }
        return loss.detach();
    }
}
