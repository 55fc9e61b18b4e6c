using static TorchSharp.torch;

namespace MLNetExt.Trainers.Losses;

/// <summary>
/// Mean squared error to a teacher's embeddings (Reimers and Gurevych 2020, "Making Monolingual Sentence Embeddings
/// Multilingual using Knowledge Distillation"; sentence-transformers' <c>MSELoss</c>): the student's sentence vector of
/// each text is pulled towards the teacher's vector of the same text.
/// </summary>
/// <remarks>
/// Input columns: one text and the teacher's embedding (a vector of Single of the student's width). Pick it to distil
/// a large or slow encoder into a smaller one (layer dropping, head pruning) or to carry an encoder to new inputs
/// while keeping its vector space.
/// </remarks>
public sealed class EmbeddingDistillationLoss : SentenceEmbeddingLoss
{
    /// <inheritdoc/>
    public override SentenceLossInput Input => SentenceLossInput.TextWithTeacherEmbedding;

    /// <inheritdoc/>
    public override string Name => "mse-teacher";

    /// <inheritdoc/>
    public override Tensor Forward(IReadOnlyList<Tensor> embeddings, Tensor? targets)
    {
        RequireColumns(embeddings, 1);
        ArgumentNullException.ThrowIfNull(targets, nameof(targets));
        if (!targets.shape.SequenceEqual(embeddings[0].shape))
            throw new ArgumentException(
                $"The teacher embeddings have shape [{string.Join(", ", targets.shape)}], the student's [{string.Join(", ", embeddings[0].shape)}].", nameof(targets));
        return nn.functional.mse_loss(embeddings[0], targets);
    }
}
