using Microsoft.Extensions.VectorData;
using Microsoft.ML;
using MLNetExt.AI;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Ranking;
using MLNetExt.Samples;
using MLNetExt.Transforms;
using MLNetExt.UnitTests.Evaluation;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Transforms;

namespace MLNetExt.UnitTests.AI;

/// <summary>
/// The generator and the vector store together rank SciFact exactly as the BEIR dense retriever does with the same
/// model: the same top 10 documents, in the same order, for every query of a slice.
/// </summary>
[TestClass]
public sealed class VectorStoreSciFactTests
{
    // A slice keeps the test to seconds: every judged document of the first queries, plus distractors, 50 in all,
    // cut at 128 word pieces; the first 15 of its queries are searched one by one through the collection.
    private const int SliceDocuments = 50;
    private const int SearchedQueries = 15;
    private const int MaxTokens = 128;

    public TestContext TestContext { get; set; } = null!;

    public sealed class Abstract
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData]
        public string Title { get; set; } = "";

        // Embedded by the collection's generator, as BEIR encodes a document: title, a space, the text.
        [VectorStoreVector(384)]
        public string Content { get; set; } = "";
    }

    [TestMethod]
    public async Task TopTenPerQueryEqualsTheDenseRetrievers()
    {
        using var files = new TempFiles();
        BeirDataset dataset = BeirReader.Load(BeirSlice.Write(SharedData.Require("scifact"), files.Folder, SliceDocuments));
        EncoderModel model = EncoderTestModels.MiniLM;

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var mlContext = new MLContext(seed: 0);
        var encoderOptions = new TextEncoderOptions { Model = model, InputColumnName = "Text", OutputColumnName = "Embedding", MaxTokens = MaxTokens };
        TextEncoderTransformer encoder = mlContext.Transforms.Text.EncodeText(encoderOptions).Fit(EncoderTestModels.Texts(mlContext));
        using var _ = Owned.Ends(encoder);
        RankingRun expected = DenseRetriever.Retrieve(dataset, new TransformerEmbedder(mlContext, encoder),
            new DenseRetrievalOptions { TopK = 10, SkipIdenticalIds = false });

        using var generator = EncoderEmbeddingGenerator.Create(encoderOptions);
        using var collection = new DenseVectorStoreCollection<string, Abstract>("scifact",
            new DenseVectorStoreCollectionOptions { EmbeddingGenerator = generator });
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(dataset.Corpus.Select(d => new Abstract { Id = d.Id, Title = d.Title, Content = d.TitleAndText }));
        Assert.AreEqual(dataset.Corpus.Count, collection.Count);

        TestContext.WriteLine($"retriever and upsert: {watch.Elapsed.TotalSeconds:F1} s");
        int compared = 0;
        foreach (BeirQuery query in dataset.Queries.Take(SearchedQueries))
        {
            var actual = new List<VectorSearchResult<Abstract>>();
            await foreach (var hit in collection.SearchAsync(query.Text, 10))
                actual.Add(hit);
            var ranked = expected.Ranked(query.Id);
            CollectionAssert.AreEqual(ranked.Select(p => p.Key).ToArray(), actual.Select(h => h.Record.Id).ToArray(), $"query {query.Id}: {query.Text}");
            for (int i = 0; i < ranked.Count; i++)
                Assert.AreEqual(ranked[i].Value, actual[i].Score!.Value, 1e-5, $"query {query.Id}, rank {i + 1}");
            compared++;
        }
        TestContext.WriteLine($"{compared} searches: {watch.Elapsed.TotalSeconds:F1} s in all");
        Assert.AreEqual(SearchedQueries, compared, "the slice holds enough queries");
    }
}
