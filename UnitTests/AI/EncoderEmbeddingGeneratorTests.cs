using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;
using MLNetExt.AI;
using MLNetExt.Transforms;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Transforms;

namespace MLNetExt.UnitTests.AI;

/// <summary>The IEmbeddingGenerator adapter: same vectors as EncodeText, batching, cancellation, threads, metadata, DI.</summary>
[TestClass]
public sealed class EncoderEmbeddingGeneratorTests
{
    private static readonly string[] s_texts =
    [
        "A man is playing a guitar.",
        "Someone plays an instrument.",
        "The stock market fell sharply today.",
        "",
        "Cats sleep most of the day, waking up only to eat and to knock things off tables.",
    ];

    private static EncoderEmbeddingGenerator s_generator = null!;

    [ClassInitialize]
    public static void CreateGenerator(TestContext context) => s_generator = EncoderEmbeddingGenerator.Create(EncoderTestModels.MiniLM);

    [ClassCleanup]
    public static void DisposeGenerator() => s_generator.Dispose();

    [TestMethod]
    public async Task EmbeddingsEqualEncodeTextsAndCarryTheMetadata()
    {
        var mlContext = new MLContext();
        TextEncoderTransformer encoder = mlContext.Transforms.Text.EncodeText("Embedding", "Text", EncoderTestModels.MiniLM)
            .Fit(EncoderTestModels.Texts(mlContext));
        using var _ = Owned.Ends(encoder);
        List<float[]> expected = EncoderTestModels.ReadVectors(encoder.Transform(EncoderTestModels.Texts(mlContext, s_texts)), "Embedding");

        GeneratedEmbeddings<Embedding<float>> embeddings = await s_generator.GenerateAsync(s_texts);

        Assert.HasCount(s_texts.Length, embeddings);
        for (int i = 0; i < s_texts.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i], embeddings[i].Vector.ToArray(), $"text {i}");
            Assert.AreEqual("all-MiniLM-L6-v2", embeddings[i].ModelId);
            Assert.IsNotNull(embeddings[i].CreatedAt);
        }
        var metadata = (EmbeddingGeneratorMetadata)s_generator.GetService(typeof(EmbeddingGeneratorMetadata))!;
        Assert.AreEqual(EncoderEmbeddingGenerator.ProviderName, metadata.ProviderName);
        Assert.AreEqual("all-MiniLM-L6-v2", metadata.DefaultModelId);
        Assert.AreEqual(384, metadata.DefaultModelDimensions);
        Assert.AreSame(EncoderTestModels.MiniLM, s_generator.GetService<EncoderModel>());
        Assert.IsInstanceOfType<TextEncoderTransformer>(s_generator.GetService<ITransformer>());
        Assert.IsNull(s_generator.GetService(typeof(EmbeddingGeneratorMetadata), serviceKey: "other"));
    }

    [TestMethod]
    public async Task SeveralPassesGiveTheSameEmbeddingsInInputOrder()
    {
        using var small = EncoderEmbeddingGenerator.Create(EncoderTestModels.MiniLM, new EncoderEmbeddingGeneratorOptions { MaxTextsPerPass = 2 });
        var whole = await s_generator.GenerateAsync(s_texts);
        var passes = await small.GenerateAsync(s_texts);
        for (int i = 0; i < s_texts.Length; i++)
            CollectionAssert.AreEqual(whole[i].Vector.ToArray(), passes[i].Vector.ToArray(), $"text {i}");
        Assert.HasCount(0, await small.GenerateAsync([]));
    }

    [TestMethod]
    public async Task ConcurrentCallsGiveTheSerialResults()
    {
        string[][] requests = Enumerable.Range(0, 6).Select(r => s_texts.Select(t => $"{t} ({r})").ToArray()).ToArray();
        var serial = new List<GeneratedEmbeddings<Embedding<float>>>();
        foreach (string[] request in requests)
            serial.Add(await s_generator.GenerateAsync(request));

        var parallel = await Task.WhenAll(requests.Select(r => Task.Run(() => s_generator.GenerateAsync(r))));

        for (int r = 0; r < requests.Length; r++)
            for (int i = 0; i < s_texts.Length; i++)
                CollectionAssert.AreEqual(serial[r][i].Vector.ToArray(), parallel[r][i].Vector.ToArray(), $"request {r}, text {i}");
    }

    [TestMethod]
    public async Task ACancelledTokenStopsTheCall()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(
            () => s_generator.GenerateAsync(s_texts, cancellationToken: cancelled.Token), "a cancelled token");

        // Cancelled while running: 400 one-text passes take far longer than the cancellation that follows the call.
        using var running = new CancellationTokenSource();
        using var slow = EncoderEmbeddingGenerator.Create(EncoderTestModels.MiniLM, new EncoderEmbeddingGeneratorOptions { MaxTextsPerPass = 1 });
        string[] many = Enumerable.Range(0, 400).Select(i => $"sentence number {i} about nothing in particular").ToArray();
        Task<GeneratedEmbeddings<Embedding<float>>> call = slow.GenerateAsync(many, cancellationToken: running.Token);
        await running.CancelAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(() => call, "cancelled during the call");
    }

    [TestMethod]
    public async Task RequestsForAnotherModelSizeOrANullTextAreRefused()
    {
        var size = await Assert.ThrowsAsync<ArgumentException>(
            () => s_generator.GenerateAsync(s_texts, new EmbeddingGenerationOptions { Dimensions = 128 }));
        StringAssert.Contains(size.Message, "128 dimensions");
        var model = await Assert.ThrowsAsync<ArgumentException>(
            () => s_generator.GenerateAsync(s_texts, new EmbeddingGenerationOptions { ModelId = "text-embedding-3-small" }));
        StringAssert.Contains(model.Message, "'text-embedding-3-small'");
        var text = await Assert.ThrowsAsync<ArgumentException>(() => s_generator.GenerateAsync(["a", null!]));
        StringAssert.Contains(text.Message, "values[1] is null");
        Assert.HasCount(1, await s_generator.GenerateAsync(["a"], new EmbeddingGenerationOptions { Dimensions = 384, ModelId = "all-MiniLM-L6-v2" }));
    }

    [TestMethod]
    public async Task AFittedPipelineServesItsEmbeddingColumnAndStaysItsOwners()
    {
        var mlContext = new MLContext();
        var pipeline = mlContext.Transforms.Text.EncodeText("Raw", "Sentence", EncoderTestModels.MiniLM)
            .Append(mlContext.Transforms.NormalizeLpNorm("Unit", "Raw", ensureZeroMean: false));
        var data = mlContext.Data.LoadFromEnumerable(s_texts.Select(t => new SentenceRow { Sentence = t }));
        ITransformer model = pipeline.Fit(data);
        try
        {
            var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => EncoderEmbeddingGenerator.Create(mlContext, model, "Sentence", "Vector"));
            StringAssert.Contains(missing.Message, "Could not find output column 'Vector'");
            StringAssert.Contains(missing.Message, "Unit");

            using (var generator = EncoderEmbeddingGenerator.Create(mlContext, model, "Sentence", "Unit", new EncoderEmbeddingGeneratorOptions { ModelId = "minilm-unit" }))
            {
                Assert.AreEqual(384, generator.Dimensions);
                var embeddings = await generator.GenerateAsync(s_texts);
                List<float[]> expected = EncoderTestModels.ReadVectors(model.Transform(data), "Unit");
                for (int i = 0; i < s_texts.Length; i++)
                {
                    CollectionAssert.AreEqual(expected[i], embeddings[i].Vector.ToArray(), $"text {i}");
                    Assert.AreEqual("minilm-unit", embeddings[i].ModelId);
                }
            }
            Assert.HasCount(s_texts.Length, EncoderTestModels.ReadVectors(model.Transform(data), "Unit"),
                "the pipeline still works after a generator that does not own it is disposed");

            var owning = EncoderEmbeddingGenerator.Create(mlContext, model, "Sentence", "Unit", new EncoderEmbeddingGeneratorOptions { OwnsPipeline = true });
            owning.Dispose();
            await Assert.ThrowsAsync<ObjectDisposedException>(() => owning.GenerateAsync(["a"]));
            Assert.AreEqual(0, model.DisposeEncoders(), "the owning generator ended the pipeline's encoder");
        }
        finally
        {
            model.DisposeEncoders();
        }
    }

    [TestMethod]
    public async Task DependencyInjectionServesOneGeneratorAndDisposesItWithTheContainer()
    {
        var services = new ServiceCollection()
            .AddEncoderEmbeddingGenerator(EncoderTestModels.MiniLM)
            .AddKeyedEncoderEmbeddingGenerator("queries", EncoderTestModels.MiniLM, new EncoderEmbeddingGeneratorOptions { ModelId = "minilm-queries" });
        IEmbeddingGenerator<string, Embedding<float>> generator;
        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            Assert.AreSame(generator, provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(), "a singleton");
            var keyed = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("queries");
            Assert.AreNotSame(generator, keyed);
            Assert.AreEqual("minilm-queries", keyed.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId);

            var vector = await generator.GenerateVectorAsync("A man is playing a guitar.");
            Assert.AreEqual(384, vector.Length);
        }
        await Assert.ThrowsAsync<ObjectDisposedException>(() => generator.GenerateAsync(["a"]), "the container disposed it");
    }

    private sealed class SentenceRow
    {
        public string Sentence { get; set; } = "";
    }
}
