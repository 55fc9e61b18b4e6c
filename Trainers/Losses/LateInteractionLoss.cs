using static TorchSharp.torch;

namespace MLNetExt.Trainers.Losses;

/// <summary>
/// In-batch contrastive loss over a late-interaction score (ColBERT, Khattab and Zaharia 2020): a query's score for a
/// document is the mean over the query's token vectors of the largest cosine with any of the document's vectors
/// (MaxSim), and each query must pick its own document among every document of the batch (cross-entropy over the
/// scores times <see cref="Scale"/>, as <see cref="MultipleNegativesRankingLoss"/> does with one vector each).
/// </summary>
/// <remarks>
/// Inputs: query vectors [queries, query tokens, d] with a mask [queries, query tokens] (1 real, 0 padding), document
/// vectors [documents, vectors, d] with a mask [documents, vectors]; document i is query i's positive and every other
/// document a negative (extra documents beyond the queries act as hard negatives). Vectors need not be normalised.
/// The mean (not ColBERT's sum) over query tokens keeps the score in [-1, 1] whatever the query length, so one scale
/// suits every batch; within one query it ranks documents exactly as the sum does. Pick it to train a multi-vector or
/// compressed-context retriever (<c>TrainContextCompressor</c>).
/// </remarks>
public sealed class LateInteractionLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="scale">Multiplier of the MaxSim scores (inverse temperature); 20 as sentence-transformers' MNRL.</param>
    public LateInteractionLoss(double scale = 20.0)
    {
        if (!(scale > 0))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be positive.");
        Scale = scale;
    }

    /// <summary>Multiplier of the scores.</summary>
    public double Scale { get; }

    /// <summary>MaxSim scores [queries, documents] (mean over real query tokens of the best cosine over real document vectors).</summary>
    public static Tensor Scores(Tensor queries, Tensor queryMask, Tensor documents, Tensor documentMask)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(queryMask);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(documentMask);
        if (queries.ndim != 3 || documents.ndim != 3 || queries.shape[2] != documents.shape[2])
            throw new ArgumentException($"Expected query vectors [queries, tokens, d] and document vectors [documents, vectors, d]; got [{string.Join(", ", queries.shape)}] and [{string.Join(", ", documents.shape)}].");
        using var scope = NewDisposeScope();
        Tensor q = nn.functional.normalize(queries, p: 2, dim: -1);
        Tensor d = nn.functional.normalize(documents, p: 2, dim: -1);
        Tensor cosines = einsum("qtd,jkd->qjtk", q, d);
        Tensor padding = documentMask.to_type(ScalarType.Float32).eq(0).unsqueeze(0).unsqueeze(2);
        Tensor best = cosines.masked_fill(padding, -2f).amax([3]);
        Tensor weights = queryMask.to_type(ScalarType.Float32);
        Tensor scores = (best * weights.unsqueeze(1)).sum(2) / weights.sum(1, keepdim: true).clamp_min(1f);
        return scores.MoveToOuterDisposeScope();
    }

    /// <summary>The mean cross-entropy of each query picking its own document (see the class remarks for the inputs).</summary>
    /// <exception cref="ArgumentException">Fewer than two queries, or fewer documents than queries.</exception>
    public Tensor Forward(Tensor queries, Tensor queryMask, Tensor documents, Tensor documentMask)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(documents);
        if (queries.shape[0] < 2 || documents.shape[0] < queries.shape[0])
            throw new ArgumentException($"In-batch negatives need at least 2 queries and a document for each; got {queries.shape[0]} queries and {documents.shape[0]} documents.");
        using var scope = NewDisposeScope();
        Tensor labels = arange(queries.shape[0], dtype: ScalarType.Int64, device: queries.device);
        Tensor loss = nn.functional.cross_entropy(Scores(queries, queryMask, documents, documentMask) * Scale, labels);
        return loss.MoveToOuterDisposeScope();
    }
}
