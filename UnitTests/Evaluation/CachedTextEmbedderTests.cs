using MLNetExt.Evaluation.Embeddings;
using MLNetExt.UnitTests.Transforms;

namespace MLNetExt.UnitTests.Evaluation;

[TestClass]
public sealed class CachedTextEmbedderTests
{
    /// <summary>A variable-length output per text (its length in characters, times 3 floats), counting what it encodes; it can fail after N texts.</summary>
    private sealed class CountingEmbedder(int failAfter = int.MaxValue) : ITextEmbedder
    {
        public List<string> Encoded { get; } = new();

        public static float[] Output(string text) => Enumerable.Range(0, 3 * text.Length).Select(i => text[i / 3] + 0.25f * (i % 3)).ToArray();

        public void Embed(IReadOnlyList<string> texts, EmbeddingSink onEmbedding, string stage = "texts",
            IProgress<EncodingProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            for (int i = 0; i < texts.Count; i++)
            {
                if (Encoded.Count == failAfter)
                    throw new OperationCanceledException("stopped");
                Encoded.Add(texts[i]);
                onEmbedding(i, Output(texts[i]));
            }
        }
    }

    private static readonly string[] Texts = ["alpha", "a longer text", "b", "gamma delta", "epsilon"];

    private static Dictionary<int, float[]> Collect(ITextEmbedder embedder, IReadOnlyList<string> texts)
    {
        var seen = new Dictionary<int, float[]>();
        embedder.Embed(texts, (i, e) => seen.Add(i, e.ToArray()));
        return seen;
    }

    [TestMethod]
    public void ReplaysWhatItStored_AndEncodesOnlyTheMissingTexts()
    {
        using var folder = new TempFolder("emb-cache");
        string path = folder.Combine("states.bin");
        var first = new CountingEmbedder();
        using (var cache = new CachedTextEmbedder(first, path, "model A"))
        {
            Dictionary<int, float[]> seen = Collect(cache, Texts[..3]);
            CollectionAssert.AreEqual(Texts[..3], first.Encoded);
            Assert.AreEqual(3, cache.LastMisses);
            for (int i = 0; i < 3; i++)
                CollectionAssert.AreEqual(CountingEmbedder.Output(Texts[i]), seen[i]);
        }

        var second = new CountingEmbedder();
        using (var cache = new CachedTextEmbedder(second, path, "model A"))
        {
            Assert.AreEqual(3, cache.CachedTexts);
            Dictionary<int, float[]> seen = Collect(cache, Texts);
            CollectionAssert.AreEqual(Texts[3..], second.Encoded, "only the two new texts reach the encoder");
            Assert.AreEqual(3, cache.LastHits);
            Assert.HasCount(Texts.Length, seen);
            for (int i = 0; i < Texts.Length; i++)
                CollectionAssert.AreEqual(CountingEmbedder.Output(Texts[i]), seen[i], $"text {i}");
        }
    }

    [TestMethod]
    public void AnInterruptedRun_KeepsWhatItFinished_AndACutRecordIsDropped()
    {
        using var folder = new TempFolder("emb-cache");
        string path = folder.Combine("states.bin");
        using (var cache = new CachedTextEmbedder(new CountingEmbedder(failAfter: 2), path, "model A") { FlushInterval = 1 })
            Assert.ThrowsExactly<OperationCanceledException>(() => Collect(cache, Texts));
        long whole = new FileInfo(path).Length;
        File.AppendAllText(path, "a record cut short");

        var rerun = new CountingEmbedder();
        using (var cache = new CachedTextEmbedder(rerun, path, "model A"))
        {
            Assert.AreEqual(2, cache.CachedTexts);
            Assert.AreEqual(whole, new FileInfo(path).Length, "the cut record is dropped when the file is opened");
            Dictionary<int, float[]> seen = Collect(cache, Texts);
            CollectionAssert.AreEqual(Texts[2..], rerun.Encoded);
            for (int i = 0; i < Texts.Length; i++)
                CollectionAssert.AreEqual(CountingEmbedder.Output(Texts[i]), seen[i], $"text {i}");
        }
    }

    [TestMethod]
    public void AnotherModelsCache_OrAnotherFile_IsRefusedByName()
    {
        using var folder = new TempFolder("emb-cache");
        string path = folder.Combine("states.bin");
        using (var cache = new CachedTextEmbedder(new CountingEmbedder(), path, "model A"))
            Collect(cache, Texts[..1]);
        var other = Assert.ThrowsExactly<InvalidDataException>(() => new CachedTextEmbedder(new CountingEmbedder(), path, "model B"));
        StringAssert.Contains(other.Message, "holds outputs of 'model A', but this run computes 'model B'");

        string text = folder.Combine("notes.txt");
        File.WriteAllText(text, "hello, not a cache");
        var foreign = Assert.ThrowsExactly<InvalidDataException>(() => new CachedTextEmbedder(new CountingEmbedder(), text, "model A"));
        StringAssert.Contains(foreign.Message, "not an embedding cache file");
    }
}
