using MLNetExt.Transforms;
using MLNetExt.UnitTests.Trainers;

namespace MLNetExt.UnitTests.Transforms;

[TestClass]
public sealed class EncoderTokenizerTests
{
    [TestMethod]
    public void SingleSentenceGetsClsAndSepAndUncasedWordPieces()
    {
        TokenizedText row = TrainerTestData.Tokenizer().Tokenize("Hello, world!");
        // bert-base-uncased ids: [CLS] hello , world ! [SEP]
        CollectionAssert.AreEqual(new[] { 101, 7592, 1010, 2088, 999, 102 }, row.Ids);
        Assert.AreEqual(6, row.FirstSegmentLength);
    }

    [TestMethod]
    public void TrainingSeesTheSameWordPiecesAsTheEncoderTransform()
    {
        // Symbols the stock pre-tokenizer drops, and accents that uncased BERT strips.
        const string text = "Price $5 < 10 | a^2 + b = c ~ Café déjà vu";
        TokenizedText row = TrainerTestData.Tokenizer().Tokenize(text);
        var inference = MLNetExt.Transforms.PretrainedEncoders.Load("minilm").CreateTokenizer();
        int[] expected = inference.EncodeToIds(text, addSpecialTokens: false).ToArray();
        CollectionAssert.AreEqual(expected, row.Ids[1..^1]);
    }

    [TestMethod]
    public void PairsAreTruncatedLongestFirstAndPaddedWithSegmentIds()
    {
        TokenizedBatch batch = TrainerTestData.Encode(["one two three four five six", "hi"], ["seven", "there"], maxTokens: 8);
        Assert.AreEqual(8, batch.Length);
        // Row 0: [CLS] one two three four [SEP] seven [SEP] (the longer first segment lost two words).
        CollectionAssert.AreEqual(new long[] { 0, 0, 0, 0, 0, 0, 1, 1 }, batch.TokenTypeIds[..8]);
        CollectionAssert.AreEqual(new long[] { 1, 1, 1, 1, 1, 0, 0, 0 }, batch.AttentionMask[8..]);
        Assert.AreEqual(102L, batch.InputIds[7]);
    }
}
