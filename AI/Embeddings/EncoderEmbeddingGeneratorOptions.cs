namespace MLNetExt.AI;

/// <summary>Settings of an <see cref="EncoderEmbeddingGenerator"/>.</summary>
public sealed class EncoderEmbeddingGeneratorOptions
{
    /// <summary>
    /// The model id reported in the generator's metadata and on every embedding; null means the encoder's name
    /// (<see cref="Transforms.EncoderModel.Name"/>), or "pipeline" for a pipeline without an EncodeText part.
    /// </summary>
    public string? ModelId { get; set; }

    /// <summary>
    /// Texts sent through the encoder in one pass. Within a pass the encoder sorts texts by length and runs them in
    /// batches of <see cref="Transforms.TextEncoderOptions.BatchSize"/>; a call with more texts is cut into passes,
    /// and cancellation is checked between batches. Default 1024.
    /// </summary>
    public int MaxTextsPerPass { get; set; } = 1024;

    /// <summary>
    /// For a generator over a fitted pipeline: end the pipeline's encoders (<c>model.DisposeEncoders()</c>) when the
    /// generator is disposed, as a dependency-injection container does with its singletons. Default false: the
    /// caller keeps ownership. A generator made from an <see cref="Transforms.EncoderModel"/> always owns its encoder.
    /// </summary>
    public bool OwnsPipeline { get; set; }
}
