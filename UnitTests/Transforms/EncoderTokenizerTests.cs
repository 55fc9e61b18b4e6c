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

    [TestMethod]
    public void WordsGiveTheSameIdsAsTheTextAndMapEachPieceToItsWord()
    {
        EncoderTokenizer tokenizer = TrainerTestData.Tokenizer();
        const string text = "Price $5 < 10 | unforgettably Café-like , déjà vu";
        string[] words = MLNetExt.Transforms.Attribution.TextInstance.Create(text).Words;
        WordPieceTokens row = tokenizer.TokenizeWords(words);
        CollectionAssert.AreEqual(tokenizer.Tokenize(text).Ids, row.Tokens.Ids);
        Assert.AreEqual(-1, row.WordOfToken[0]);
        Assert.AreEqual(-1, row.WordOfToken[^1]);
        // "unforgettably" is several pieces, all mapped to word 6; every word has at least one piece.
        Assert.AreEqual("unforgettably", words[6]);
        Assert.IsTrue(row.WordOfToken.Count(w => w == 6) > 1);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, words.Length).ToArray(), row.WordOfToken.Where(w => w >= 0).Distinct().ToArray());

        // Pairs are cut longest first exactly like the text path; second-text words are counted after the first's.
        EncoderTokenizer short8 = TrainerTestData.Tokenizer(maxTokens: 8);
        WordPieceTokens pair = short8.TokenizeWords(["one", "two", "three", "four", "five", "six"], ["seven"]);
        TokenizedText expected = short8.Tokenize("one two three four five six", "seven");
        CollectionAssert.AreEqual(expected.Ids, pair.Tokens.Ids);
        Assert.AreEqual(expected.FirstSegmentLength, pair.Tokens.FirstSegmentLength);
        Assert.IsTrue(pair.Tokens.Truncated);
        CollectionAssert.AreEqual(new[] { -1, 0, 1, 2, 3, -1, 6, -1 }, pair.WordOfToken);
    }
}
