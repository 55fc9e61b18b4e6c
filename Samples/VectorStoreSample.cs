using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;
using MLNetExt.AI;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Transforms;

namespace MLNetExt.Samples;

/// <summary>
/// Microsoft.Extensions.AI and VectorData with an MLNetExt encoder: all-MiniLM-L6-v2 registered as the app's
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>, SciFact abstracts upserted into a
/// <see cref="DenseVectorStoreCollection{TKey, TRecord}"/> that embeds them through it, then searched by claim text
/// with and without a filter, and read back from an atomic snapshot file.
/// Run: <c>dotnet run --project Samples -c Release -- vectorstore [data-folder] [max-documents]</c>.
/// </summary>
/// <remarks>
/// Prints the generator's metadata (provider, model id, dimensions), the number of abstracts indexed, the three nearest
/// abstracts to the first SciFact claim with their cosine similarities, the best one among titles starting with "The",
/// and whether the collection read back from its snapshot gives the same top hit (<c>vectorstore ../shared/data 200</c>):
/// <code>
/// generator: MLNetExt all-MiniLM-L6-v2, 384 dimensions
/// indexed 200 abstracts
/// claim: 0-dimensional biomaterials lack inductive properties.
///   0.2871  Emergent structures and dynamics of cell colonies by contact inhibition of locomotion
///   0.2304  Cerebral organoids model human brain development and microcephaly
///   0.1959  Chemical approaches to stem cell biology and therapeutics.
/// titles starting with 'The': 0.1247  The journey of developing hematopoietic stem cells.
/// snapshot: 200 abstracts read back, same top hit: True
/// </code>
/// </remarks>
public static class VectorStoreSample
{
    /// <summary>A SciFact abstract as a vector-store record: its text is embedded by the collection's generator.</summary>
    public sealed class Abstract
    {
        /// <summary>The document id.</summary>
        [VectorStoreKey]
        public string Id { get; set; } = "";

        /// <summary>The title, kept for filters and display.</summary>
        [VectorStoreData(IsIndexed = true)]
        public string Title { get; set; } = "";

        /// <summary>Title and abstract: the text the generator embeds.</summary>
        [VectorStoreVector(384, DistanceFunction = DistanceFunction.CosineSimilarity)]
        public string Content { get; set; } = "";
    }

    /// <summary>Indexes a slice of SciFact and searches it.</summary>
    /// <param name="dataFolder">The folder holding <c>scifact/</c>.</param>
    /// <param name="maxDocuments">Abstracts to index (the first in file order).</param>
    /// <returns>The top hit's title for the first claim.</returns>
    public static async Task<string> ExampleAsync(string dataFolder, int maxDocuments = 200)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDocuments);
        // Dependency injection: one thread-safe generator for the whole app, disposed with the container.
        await using ServiceProvider services = new ServiceCollection()
            .AddEncoderEmbeddingGenerator(PretrainedEncoders.Load("all-MiniLM-L6-v2"))
            .BuildServiceProvider();
        var generator = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        EmbeddingGeneratorMetadata metadata = generator.GetService<EmbeddingGeneratorMetadata>()!;
        Console.WriteLine($"generator: {metadata.ProviderName} {metadata.DefaultModelId}, {metadata.DefaultModelDimensions} dimensions");

        string snapshot = Path.Combine(Path.GetTempPath(), $"mlnetext-scifact-{Guid.NewGuid():N}.json");
        try
        {
            var options = new DenseVectorStoreCollectionOptions { EmbeddingGenerator = generator, SnapshotPath = snapshot };
            using var collection = new DenseVectorStoreCollection<string, Abstract>("scifact", options);
            await collection.EnsureCollectionExistsAsync();
            IEnumerable<BeirDocument> corpus = BeirReader.ReadCorpus(Path.Combine(dataFolder, "scifact", "corpus.jsonl")).Take(maxDocuments);
            await collection.UpsertAsync(corpus.Select(d => new Abstract { Id = d.Id, Title = d.Title, Content = d.TitleAndText }));
            Console.WriteLine($"indexed {collection.Count} abstracts");

            string claim = BeirReader.ReadQueries(Path.Combine(dataFolder, "scifact", "queries.jsonl"))[0].Text;
            Console.WriteLine($"claim: {claim}");
            string topTitle = "";
            await foreach (VectorSearchResult<Abstract> hit in collection.SearchAsync(claim, top: 3))
            {
                topTitle = topTitle.Length == 0 ? hit.Record.Title : topTitle;
                Console.WriteLine($"  {hit.Score:F4}  {hit.Record.Title}");
            }

            // A filter is any predicate on the record's properties.
            var filtered = new VectorSearchOptions<Abstract> { Filter = a => a.Title.StartsWith("The ") };
            await foreach (VectorSearchResult<Abstract> hit in collection.SearchAsync(claim, top: 1, filtered))
                Console.WriteLine($"titles starting with 'The': {hit.Score:F4}  {hit.Record.Title}");

            // The snapshot is written atomically; a new collection on the same path reads it back.
            collection.SaveSnapshot();
            using var reopened = new DenseVectorStoreCollection<string, Abstract>("scifact", options);
            string reopenedTop = "";
            await foreach (VectorSearchResult<Abstract> hit in reopened.SearchAsync(claim, top: 1))
                reopenedTop = hit.Record.Title;
            Console.WriteLine($"snapshot: {reopened.Count} abstracts read back, same top hit: {reopenedTop == topTitle}");
            return topTitle;
        }
        finally
        {
            File.Delete(snapshot);
        }
    }
}
