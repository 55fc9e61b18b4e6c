using MLNetExt.Transforms;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Losses;

/// <summary>
/// Mirror-BERT (Liu et al. 2021, "Fast, Effective, and Self-Supervised: Transforming Masked Language Models into
/// Universal Lexical and Sentence Encoders"): each text and a copy with a random span of
/// <see cref="SpanLength"/> word pieces replaced by <c>[MASK]</c> are encoded with dropout on (a second, feature-level
/// augmentation), and an InfoNCE loss at temperature <see cref="Temperature"/> asks each view to find its mirror among
/// all 2N views of the batch.
/// </summary>
/// <remarks>
/// Input column: one text. Pick it when you have unlabelled text from the target domain only: it turns a masked
/// language model (or an encoder whose pooled output is not yet a sentence vector, such as a CLS token never trained
/// for it) into a sentence encoder in minutes. The paper uses 10,000 sentences, one epoch, temperature 0.04 and a
/// span of 5 for sentences.
/// </remarks>
public sealed class MirrorBertLoss : SentenceEmbeddingLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="temperature">InfoNCE temperature; the paper uses 0.04.</param>
    /// <param name="spanLength">Word pieces masked in the second view (0: dropout is the only augmentation); the paper uses 5.</param>
    public MirrorBertLoss(double temperature = 0.04, int spanLength = 5)
    {
        if (!(temperature > 0))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive.");
        if (spanLength < 0)
            throw new ArgumentOutOfRangeException(nameof(spanLength), spanLength, "The span length must not be negative.");
        Temperature = temperature;
        SpanLength = spanLength;
    }

    /// <summary>InfoNCE temperature.</summary>
    public double Temperature { get; }

    /// <summary>Word pieces masked in the second view.</summary>
    public int SpanLength { get; }

    /// <inheritdoc/>
    public override SentenceLossInput Input => SentenceLossInput.SingleText;

    /// <inheritdoc/>
    public override string Name => "mirror-bert";

    /// <summary>
    /// InfoNCE over 2N views (NT-Xent): view <c>i</c> of the first column must pick view <c>i</c> of the second
    /// among the other 2N - 1 views, and the other way round.
    /// </summary>
    public override Tensor Forward(IReadOnlyList<Tensor> embeddings, Tensor? targets)
    {
        RequireColumns(embeddings, 2);
        RequireInBatchNegatives(embeddings[0]);
        using var scope = NewDisposeScope();
        long n = embeddings[0].shape[0];
        Tensor views = cat([embeddings[0], embeddings[1]], 0);
        Tensor logits = CosineMatrix(views, views) / Temperature;
        logits = logits.masked_fill(eye(2 * n, dtype: ScalarType.Bool, device: logits.device), double.NegativeInfinity);
        Tensor labels = cat([arange(n, 2 * n, dtype: ScalarType.Int64), arange(0, n, dtype: ScalarType.Int64)], 0).to(logits.device);
        return nn.functional.cross_entropy(logits, labels).MoveToOuterDisposeScope();
    }

    /// <summary>The text itself and a copy with a random span masked (positions drawn from torch's seeded generator).</summary>
    internal override IReadOnlyList<TokenizedText[]> Views(IReadOnlyList<TokenizedText[]> columns, int maskTokenId)
    {
        TokenizedText[] original = columns[0];
        var masked = new TokenizedText[original.Length];
        for (int i = 0; i < original.Length; i++)
            masked[i] = MaskSpan(original[i], maskTokenId, SpanLength);
        return [original, masked];
    }

    internal static TokenizedText MaskSpan(TokenizedText row, int maskTokenId, int spanLength)
    {
        int textTokens = row.Ids.Length - 2; // [CLS] ... [SEP]
        int span = Math.Min(spanLength, textTokens);
        if (span <= 0)
            return row;
        int start = 1 + (int)randint(0, textTokens - span + 1, [1]).item<long>();
        int[] ids = (int[])row.Ids.Clone();
        for (int j = start; j < start + span; j++)
            ids[j] = maskTokenId;
        return row with { Ids = ids };
    }
}
