using static MLNetExt.UnitTests.Transforms.EncoderTestModels;

namespace MLNetExt.UnitTests.Transforms;

[TestClass]
public sealed class BertBasicPreTokenizerTests
{
    /// <summary>
    /// Word pieces as BERT's reference BasicTokenizer + WordPiece give them with the uncased vocabulary: ASCII symbols
    /// are punctuation tokens, accents are stripped, Unicode quotes split from words.
    /// </summary>
    [TestMethod]
    [DataRow("Shares closed at $44.01.", "shares closed at $ 44 . 01 .")]
    [DataRow("Index <.IXIC> jumped", "index < . ix ##ic > jumped")]
    [DataRow("x^2+y=|z| ~`", "x ^ 2 + y = | z | ~ `")]
    [DataRow("the naïve “most” Heydt’s", "the naive “ most ” hey ##dt ’ s")]
    [DataRow("   ", "")]
    public void WordPieces_FollowTheReferenceTokenizer(string text, string pieces)
    {
        var tokenizer = MiniLM.CreateTokenizer();
        var vocabulary = File.ReadAllLines(MiniLM.VocabularyPath);
        string actual = string.Join(" ", tokenizer.EncodeToIds(text, false, true, true).Select(i => vocabulary[i]));
        Assert.AreEqual(pieces, actual);
    }
}
