namespace MLNetExt.Evaluation.Embeddings;

/// <summary>
/// Anything that turns texts into sentence vectors for the evaluators: a fitted ML.NET transformer
/// (<see cref="TransformerEmbedder"/>), or a model being trained (the trainers' evaluation callbacks). The STS and BEIR
/// evaluators take this interface, so a score during training and a score of the exported model come from one code path.
/// </summary>
public interface ITextEmbedder
{
    /// <summary>
    /// Encodes the texts in order and calls <paramref name="onEmbedding"/> with each row's index and embedding. The span
    /// is only valid during the call: copy it to keep it.
    /// </summary>
    /// <param name="texts">The texts.</param>
    /// <param name="onEmbedding">Receives each embedding.</param>
    /// <param name="stage">Stage name in progress reports.</param>
    /// <param name="progress">Receives progress.</param>
    /// <param name="cancellationToken">Stops the encoding.</param>
    void Embed(IReadOnlyList<string> texts, EmbeddingSink onEmbedding, string stage = "texts",
        IProgress<EncodingProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>Helpers over any <see cref="ITextEmbedder"/>.</summary>
public static class TextEmbedderExtensions
{
    /// <summary>Encodes the texts and keeps every embedding (for query sets and sentence lists, not for large corpora).</summary>
    public static float[][] EmbedAll(this ITextEmbedder embedder, IReadOnlyList<string> texts, string stage = "texts",
        IProgress<EncodingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(texts);
        var result = new float[texts.Count][];
        embedder.Embed(texts, (i, e) => result[i] = e.ToArray(), stage, progress, cancellationToken);
        return result;
    }
}
