using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.UnitTests.Transforms;
using MLNetExt.UnitTests.Transforms.Onnx;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>Rows that share a text kept out of one batch (<see cref="NoDuplicatesBatchSampler"/>), in the sampler, the epoch order and the sentence trainer.</summary>
[TestClass]
public sealed class NoDuplicatesBatchingTests
{
    [TestMethod]
    public void Batches_KeepSharedKeysOutOfABatchAndUseEveryRowOnce()
    {
        string[] captions = ["a", "b", "a", "c", "a", "b", "d", "a"];
        var keys = captions.Select(c => (IReadOnlyList<string>)[c]).ToArray();
        IReadOnlyList<int[]> batches = NoDuplicatesBatchSampler.Batches(keys, 3, new Random(1));
        CollectionAssert.AreEquivalent(Enumerable.Range(0, captions.Length).ToArray(), batches.SelectMany(b => b).ToArray());
        foreach (int[] batch in batches)
        {
            Assert.IsTrue(batch.Length is >= 1 and <= 3);
            Assert.AreEqual(batch.Length, batch.Select(i => captions[i]).Distinct().Count(), "no caption twice in a batch");
        }
        // Pairs: a row's anchor and positive are both keys.
        var pairs = new IReadOnlyList<string>[] { ["q1", "d1"], ["q2", "d1"], ["q3", "d2"], ["q1", "d3"] };
        foreach (int[] batch in NoDuplicatesBatchSampler.Batches(pairs, 4, new Random(2)))
            Assert.AreEqual(batch.SelectMany(i => pairs[i]).Count(), batch.SelectMany(i => pairs[i]).Distinct().Count());
    }

    [TestMethod]
    public void Order_GivesFixedSizeSlicesWithoutDuplicatesAndKeepsCleanOrdersAsTheyAre()
    {
        // 40 queries, each with 1-3 relevant documents: rows sharing a query or a document clash.
        var random = new Random(7);
        var keys = new List<IReadOnlyList<string>>();
        for (int q = 0; q < 40; q++)
            for (int d = 0, n = 1 + random.Next(3); d < n; d++)
                keys.Add([$"q{q}", $"d{random.Next(60)}"]);
        int[] shuffled = Enumerable.Range(0, keys.Count).ToArray();
        random.Shuffle(shuffled);

        int[] order = NoDuplicatesBatchSampler.Order(shuffled, keys, batchSize: 8);
        CollectionAssert.AreEquivalent(shuffled, order, "every row once");
        int clean = 0, slices = 0;
        for (int start = 0; start < order.Length; start += 8, slices++)
        {
            string[] batchKeys = order[start..Math.Min(order.Length, start + 8)].SelectMany(i => keys[i]).ToArray();
            if (batchKeys.Length == batchKeys.Distinct().Count())
                clean++;
        }
        Assert.IsTrue(clean >= slices - 1, $"{clean} of {slices} batches free of duplicates; only the last may be topped up with clashing rows");

        var unique = Enumerable.Range(0, 20).Select(i => (IReadOnlyList<string>)[$"t{i}"]).ToArray();
        int[] plain = Enumerable.Range(0, 20).Reverse().ToArray();
        CollectionAssert.AreEqual(plain, NoDuplicatesBatchSampler.Order(plain, unique, 4), "nothing clashes: the order is kept");
    }

    [TestMethod]
    public void EpochOrder_WithKeys_IsDeterministicAndSeparatesDuplicates()
    {
        var keys = Enumerable.Range(0, 64).Select(i => (IReadOnlyList<string>)[$"anchor{i % 16}"]).ToArray(); // every anchor four times
        int[] first = EpochOrder.Create(64, 16, seed: 3, epoch: 0, keys: keys);
        CollectionAssert.AreEqual(first, EpochOrder.Create(64, 16, seed: 3, epoch: 0, keys: keys), "same seed and epoch, same order (resume)");
        for (int start = 0; start < 64; start += 16)
            Assert.AreEqual(16, first[start..(start + 16)].Select(i => keys[i][0]).Distinct().Count(), $"batch at {start} holds an anchor twice");
        int[] without = EpochOrder.Create(64, 16, seed: 3, epoch: 0);
        Assert.IsTrue(Enumerable.Range(0, 4).Any(b => without[(b * 16)..((b + 1) * 16)].Select(i => keys[i][0]).Distinct().Count() < 16),
            "the plain shuffle does put duplicates together here, so the keys made the difference");
        Assert.ThrowsExactly<ArgumentException>(() => EpochOrder.Create(10, 4, 1, 0, keys: keys));
    }

    [TestMethod]
    public void Batches_OfSeveralSets_NeverMixSetsAndTakeTurns()
    {
        int[] sources = [.. Enumerable.Repeat(0, 10), .. Enumerable.Repeat(1, 25), .. Enumerable.Repeat(2, 4)];
        IReadOnlyList<int[]> batches = EpochOrder.Batches(sources.Length, 4, seed: 9, epoch: 1, sources: sources);
        Assert.AreEqual(EpochOrder.BatchesPerEpoch(sources.Length, 4, sources), batches.Count);
        Assert.AreEqual(3 + 7 + 1, batches.Count, "each set is cut into its own batches (the last of each may be short)");
        CollectionAssert.AreEquivalent(Enumerable.Range(0, sources.Length).ToArray(), batches.SelectMany(b => b).ToArray(), "every row once");
        int[] setOfBatch = [.. batches.Select(b => sources[b[0]])];
        foreach (int[] batch in batches)
            Assert.AreEqual(1, batch.Select(r => sources[r]).Distinct().Count(), "a batch mixes two sets");
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 0, 1, 0, 1, 1, 1, 1, 1 }, setOfBatch, "round-robin; a set that runs out leaves the rotation");
        CollectionAssert.AreEqual(batches.SelectMany(b => b).ToArray(), EpochOrder.Batches(sources.Length, 4, 9, 1, sources: sources).SelectMany(b => b).ToArray(), "deterministic");

        int[] single = EpochOrder.Create(39, 4, 9, 1);
        CollectionAssert.AreEqual(single, EpochOrder.Batches(39, 4, 9, 1).SelectMany(b => b).ToArray(), "one set: the slices of the plain order");
    }

    [TestMethod]
    public void SentenceTrainingRows_Concatenate_RemembersSetsAndRefusesDifferentShapes()
    {
        TokenizedText Text(params int[] ids) => new(ids, ids.Length, false);
        var first = new SentenceTrainingRows([[Text(2, 5, 3), Text(2, 6, 3)], [Text(2, 7, 3), Text(2, 8, 3)]]);
        var second = new SentenceTrainingRows([[Text(2, 9, 3)], [Text(2, 10, 3)]]);
        SentenceTrainingRows both = SentenceTrainingRows.Concatenate([first, second]);
        Assert.AreEqual(3, both.Count);
        CollectionAssert.AreEqual(new[] { 0, 0, 1 }, both.Sources);
        Assert.IsNull(first.Sources);
        var scored = new SentenceTrainingRows([[Text(2, 5, 3)], [Text(2, 6, 3)]], scores: [1f]);
        var error = Assert.ThrowsExactly<ArgumentException>(() => SentenceTrainingRows.Concatenate([first, scored]));
        StringAssert.Contains(error.Message, "Training set 1");
    }

    [TestMethod]
    public void SentenceTask_ReportsTextKeysOnlyForInBatchNegativeLosses()
    {
        using var folder = new TempFolder();
        BertConfig config = TinyBertFolders.Config;
        BertWeights weights = TinyBertFolders.RandomWeights(config, seed: 1);
        EncoderModel encoder = TinyBertFolders.Write(folder.Combine("tiny"), config, OnnxBertWriter.ToBytes(weights));
        EncoderTokenizer tokenizer = EncoderTokenizer.Create(encoder, 16);
        TokenizedText[] anchors = new[] { "the cat", "the dog", "the cat" }.Select(t => tokenizer.Tokenize(t)).ToArray();
        TokenizedText[] positives = new[] { "sat on a mat", "ran far away", "ran home" }.Select(t => tokenizer.Tokenize(t)).ToArray();
        using var model = new SentenceEmbeddingModel(weights.CreateModel(), EncoderPooling.Mean);

        var pairs = new SentenceTrainingRows([anchors, positives]);
        IReadOnlyList<IReadOnlyList<string>>? keys = new SentenceEncoderTask(model, new MultipleNegativesRankingLoss(), tokenizer, pairs).TrainingRowKeys;
        Assert.IsNotNull(keys);
        Assert.AreEqual(3, keys.Count);
        Assert.AreEqual(keys[0][0], keys[2][0], "rows 0 and 2 share their anchor");
        Assert.AreNotEqual(keys[0][0], keys[1][0]);
        Assert.AreNotEqual(keys[0][1], keys[2][1]);

        var scored = new SentenceTrainingRows([anchors, positives], scores: [1f, 0.5f, 0f]);
        Assert.IsNull(new SentenceEncoderTask(model, new CoSentLoss(), tokenizer, scored).TrainingRowKeys, "scored pairs have no in-batch negatives");
    }
}
