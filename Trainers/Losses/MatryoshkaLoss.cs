using MLNetExt.Transforms;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Losses;

/// <summary>
/// Matryoshka representation learning (Kusupati et al. 2022, "Matryoshka Representation Learning"; sentence-
/// transformers' <c>MatryoshkaLoss</c>): the inner loss is applied to nested prefixes of the embedding (for example
/// the first 384, 256, 128 and 64 dimensions) and the results are summed with weights, so that vectors truncated to
/// any of those widths afterwards still work.
/// </summary>
/// <remarks>
/// Input columns: those of the inner loss. Pick it when you will store or search truncated vectors to save memory;
/// it costs little over the inner loss because the encoder runs once per batch.
/// </remarks>
public sealed class MatryoshkaLoss : SentenceEmbeddingLoss
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The loss applied at each width (not <see cref="CachedMultipleNegativesRankingLoss"/>).</param>
    /// <param name="dimensions">Prefix widths, e.g. 384, 256, 128, 64.</param>
    /// <param name="weights">Weight of each width; null for 1 each.</param>
    public MatryoshkaLoss(SentenceEmbeddingLoss inner, IReadOnlyList<int> dimensions, IReadOnlyList<double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (inner is CachedMultipleNegativesRankingLoss or MatryoshkaLoss)
            throw new ArgumentException($"The inner loss must compute from embeddings directly; got {inner.Name}.", nameof(inner));
        if (dimensions.Count == 0 || dimensions.Any(d => d < 1))
            throw new ArgumentOutOfRangeException(nameof(dimensions), string.Join(", ", dimensions), "Give at least one width, each at least 1.");
        if (weights is not null && weights.Count != dimensions.Count)
            throw new ArgumentException($"{weights.Count} weights for {dimensions.Count} widths.", nameof(weights));
        Inner = inner;
        Dimensions = dimensions.ToArray();
        Weights = weights?.ToArray() ?? Enumerable.Repeat(1.0, dimensions.Count).ToArray();
    }

    /// <summary>The loss applied at each width.</summary>
    public SentenceEmbeddingLoss Inner { get; }

    /// <summary>Prefix widths.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>Weight of each width.</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <inheritdoc/>
    public override SentenceLossInput Input => Inner.Input;

    /// <inheritdoc/>
    public override bool UsesInBatchNegatives => Inner.UsesInBatchNegatives;

    /// <inheritdoc/>
    public override string Name => $"matryoshka({Inner.Name})";

    /// <inheritdoc/>
    public override Tensor Forward(IReadOnlyList<Tensor> embeddings, Tensor? targets)
    {
        RequireColumns(embeddings, 1);
        long width = embeddings[0].shape[1];
        using var scope = NewDisposeScope();
        Tensor? total = null;
        for (int k = 0; k < Dimensions.Count; k++)
        {
            if (Dimensions[k] > width)
                throw new ArgumentOutOfRangeException(nameof(embeddings), Dimensions[k], $"A Matryoshka width exceeds the embedding width {width}.");
            Tensor part = Inner.Forward(embeddings.Select(e => e.narrow(1, 0, Dimensions[k])).ToList(), targets) * Weights[k];
            total = total is null ? part : total + part;
        }
        return total!.MoveToOuterDisposeScope();
    }

    internal override IReadOnlyList<TokenizedText[]> Views(IReadOnlyList<TokenizedText[]> columns, int maskTokenId) =>
        Inner.Views(columns, maskTokenId);
}
