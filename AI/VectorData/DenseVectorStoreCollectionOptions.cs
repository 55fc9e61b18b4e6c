using Microsoft.Extensions.AI;

namespace MLNetExt.AI;

/// <summary>Settings of a <see cref="DenseVectorStoreCollection{TKey, TRecord}"/>.</summary>
public sealed class DenseVectorStoreCollectionOptions
{
    /// <summary>
    /// Embeds text: the record's vector property when it is a string, and string search values. Typically an
    /// <see cref="EncoderEmbeddingGenerator"/>. Null: records carry their vectors and searches pass vectors.
    /// </summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; set; }

    /// <summary>
    /// A file the collection is read from when it is created (if the file exists) and written to, atomically, by
    /// <see cref="DenseVectorStoreCollection{TKey, TRecord}.SaveSnapshot"/>. Null: the collection lives in memory only.
    /// </summary>
    public string? SnapshotPath { get; set; }
}
