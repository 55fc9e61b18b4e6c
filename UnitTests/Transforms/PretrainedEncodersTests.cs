using MLNetExt.Transforms.IO;
using System.Text;
using System.Text.Json.Nodes;
using MLNetExt.Transforms;

namespace MLNetExt.UnitTests.Transforms;

[TestClass]
public sealed class PretrainedEncodersTests
{
    private static TempFolder s_cache = null!;

    [ClassInitialize]
    public static void CreateCache(TestContext _) => s_cache = new TempFolder("mlnetext-cache");

    [ClassCleanup]
    public static void DeleteCache() => s_cache.Dispose();

    private static PretrainedEncoderOptions Options => new() { CacheDirectory = s_cache.Path };

    [TestMethod]
    public void Load_WritesModelVocabularyAndConfig_Once()
    {
        EncoderModel model = PretrainedEncoders.Load("all-MiniLM-L6-v2", Options);
        Assert.AreEqual(Path.Combine(s_cache.Path, "all-MiniLM-L6-v2"), model.Directory);
        Assert.IsGreaterThan(80_000_000L, model.SizeBytes);
        Assert.IsTrue(PretrainedEncoders.MiniLM.IsMaterialized(Options));

        JsonObject config = JsonNode.Parse(File.ReadAllText(Path.Combine(model.Directory!, "config.json")))!.AsObject();
        Assert.AreEqual(384, (int)config["hidden_size"]!);
        Assert.AreEqual(256, (int)config["mlnetext"]!["max_tokens"]!);
        Assert.AreEqual("mean", (string)config["mlnetext"]!["pooling"]!);
        StringAssert.Contains((string)config["mlnetext"]!["source"]!, "ONNX graph");

        DateTime written = File.GetLastWriteTimeUtc(model.OnnxPath);
        EncoderModel again = PretrainedEncoders.Load("minilm", Options);
        Assert.AreEqual(written, File.GetLastWriteTimeUtc(again.OnnxPath), "A complete cache entry must not be written again.");
    }

    [TestMethod]
    public void ArcticXs_HasClsPoolingQueryPrefixAnd512Tokens()
    {
        EncoderModel model = PretrainedEncoders.ArcticXs.Materialize(Options);
        Assert.AreEqual(EncoderPooling.Cls, model.Config.Pooling);
        Assert.AreEqual(512, model.Config.MaxTokens);
        Assert.AreEqual("Represent this sentence for searching relevant passages: ", model.Config.QueryPrefix);
        Assert.IsTrue(model.Config.Normalize);
    }

    [TestMethod]
    public void ConfigNumbers_AgreeWithTheShippedFiles()
    {
        foreach (PretrainedEncoder encoder in PretrainedEncoders.All)
        {
            EncoderModel model = encoder.Materialize(Options);
            // Layers: the graph's initializers keep PyTorch names encoder.layer.<i>.*
            string graphText = Encoding.Latin1.GetString(File.ReadAllBytes(model.OnnxPath));
            int layers = Enumerable.Range(0, 64).Count(i => graphText.Contains($"encoder.layer.{i}.", StringComparison.Ordinal));
            Assert.AreEqual(model.Config.Layers, layers, $"{encoder.Name}: layers in the ONNX graph.");
            Assert.AreEqual(model.Config.VocabSize, File.ReadAllLines(model.VocabularyPath).Length, $"{encoder.Name}: vocabulary size.");
            using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(model.OnnxPath);
            Assert.AreEqual(model.Config.HiddenSize, session.OutputMetadata.Values.First().Dimensions[^1], $"{encoder.Name}: hidden size.");
        }
    }

    [TestMethod]
    public void ConcurrentFirstUse_IsSafe()
    {
        using var cache = new TempFolder("mlnetext-race");
        var options = new PretrainedEncoderOptions { CacheDirectory = cache.Path };
        EncoderModel[] models = Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            Task.Run(() => PretrainedEncoders.Load("minilm", options)))).GetAwaiter().GetResult();
        long expected = models[0].SizeBytes;
        Assert.IsTrue(models.All(m => m.SizeBytes == expected));
        string folder = models[0].Directory!;
        Assert.IsEmpty(Directory.GetFiles(folder, "*.tmp-*"), "No temporary files may remain.");
        CollectionAssert.AreEquivalent(
            new[] { ".complete.json", ".lock", "config.json", "model.onnx", "vocab.txt" },
            Directory.GetFiles(folder).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void HalfWrittenFolder_IsNeverUsed_AndIsRewritten()
    {
        using var cache = new TempFolder("mlnetext-crash");
        var options = new PretrainedEncoderOptions { CacheDirectory = cache.Path };
        string folder = PretrainedEncoders.MiniLM.GetCacheDirectory(options);
        Directory.CreateDirectory(folder);
        // What a process killed mid-write leaves: a truncated model, a stray temp file, no completion marker.
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), new byte[1000]);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx.tmp-dead"), new byte[10]);   // older MLNetExt's temp naming
        File.WriteAllBytes(Path.Combine(folder, "model.onnx.0dead0ff.tmp"), new byte[10]); // AtomicFile's
        File.WriteAllText(Path.Combine(folder, "vocab.txt"), "[PAD]\n");
        File.WriteAllText(Path.Combine(folder, "config.json"), "{}");
        Assert.IsFalse(PretrainedEncoders.MiniLM.IsMaterialized(options));

        EncoderModel model = PretrainedEncoders.Load("minilm", options);
        Assert.IsGreaterThan(80_000_000L, new FileInfo(model.OnnxPath).Length);
        Assert.AreEqual(30522, File.ReadAllLines(model.VocabularyPath).Length);
        Assert.IsFalse(File.Exists(Path.Combine(folder, "model.onnx.tmp-dead")));
        Assert.IsFalse(File.Exists(Path.Combine(folder, "model.onnx.0dead0ff.tmp")));

        // A marker whose sizes disagree with the files (a file replaced or truncated later) is not trusted either.
        using (var stream = new FileStream(model.OnnxPath, FileMode.Open))
            stream.SetLength(100);
        Assert.IsFalse(PretrainedEncoders.MiniLM.IsMaterialized(options));
    }

    [TestMethod]
    public void CacheVariable_IsUsedWhenNoOptionIsGiven()
    {
        string? before = Environment.GetEnvironmentVariable(PretrainedEncoders.CacheVariable);
        try
        {
            Environment.SetEnvironmentVariable(PretrainedEncoders.CacheVariable, s_cache.Path);
            Assert.AreEqual(Path.Combine(s_cache.Path, "snowflake-arctic-embed-xs"), PretrainedEncoders.ArcticXs.GetCacheDirectory());
            Environment.SetEnvironmentVariable(PretrainedEncoders.CacheVariable, null);
            StringAssert.StartsWith(PretrainedEncoders.MiniLM.GetCacheDirectory(), PretrainedEncoders.DefaultCacheDirectory);
        }
        finally
        {
            Environment.SetEnvironmentVariable(PretrainedEncoders.CacheVariable, before);
        }
    }

    [TestMethod]
    public void UnknownName_ListsTheKnownOnes()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => PretrainedEncoders.Get("gpt-5"));
        StringAssert.Contains(ex.Message, "all-MiniLM-L6-v2");
        StringAssert.Contains(ex.Message, "gpt-5");
    }
}
