using MLNetExt.Transforms;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Losses;

/// <summary>
/// Unsupervised SimCSE (Gao, Yao and Chen 2021, "SimCSE: Simple Contrastive Learning of Sentence Embeddings"): each
/// text is encoded twice with dropout on, and each first view must find its second view among the batch's second
/// views (cross-entropy over cosine similarities divided by <see cref="Temperature"/>).
/// </summary>
/// <remarks>
/// Input column: one text. Pick it for unlabelled text when you want dropout as the only augmentation; Mirror-BERT
/// (<see cref="MirrorBertLoss"/>) adds span masking and usually converges in fewer steps.
/// </remarks>
public sealed class SimCseLoss : SentenceEmbeddingLoss
{
    private readonly MultipleNegativesRankingLoss _ranking;

    /// <summary>Creates the loss.</summary>
    /// <param name="temperature">Softmax temperature; the paper uses 0.05.</param>
    public SimCseLoss(double temperature = 0.05)
    {
        if (!(temperature > 0))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive.");
        Temperature = temperature;
        _ranking = new MultipleNegativesRankingLoss(1.0 / temperature);
    }

    /// <summary>Softmax temperature.</summary>
    public double Temperature { get; }

    /// <inheritdoc/>
    public override SentenceLossInput Input => SentenceLossInput.SingleText;

    /// <inheritdoc/>
    public override string Name => "simcse";

    /// <inheritdoc/>
    public override Tensor Forward(IReadOnlyList<Tensor> embeddings, Tensor? targets) => _ranking.Forward(embeddings, null);

    /// <summary>The same text twice: the two dropout masks are the augmentation.</summary>
    internal override IReadOnlyList<TokenizedText[]> Views(IReadOnlyList<TokenizedText[]> columns, int maskTokenId) => [columns[0], columns[0]];
}
