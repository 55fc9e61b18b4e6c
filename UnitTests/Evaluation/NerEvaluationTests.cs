using MLNetExt.Evaluation.IO;
using MLNetExt.Evaluation.Ner;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Evaluation;

[TestClass]
public sealed class NerEvaluationTests
{
    private const double Tol = 1e-12;

    private static string[] Words(int n) => Enumerable.Range(0, n).Select(i => "w" + i).ToArray();

    private static string Show(IEnumerable<EntitySpan> spans) => string.Join(" ", spans.Select(s => $"{s.Type}[{s.Start},{s.End})"));

    [TestMethod]
    public void Bio_StrictDropsOrphanInside_ConllevalStartsAnEntity_AdjacentEntitiesStaySeparate()
    {
        string[] tags = ["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-ORG", "B-ORG", "I-PER"];
        Assert.AreEqual("PER[0,2) ORG[5,6) ORG[6,7)", Show(EntityTags.Decode(tags, Words(8), TaggingScheme.Bio, EntityDecoding.Strict)));
        Assert.AreEqual("PER[0,2) LOC[3,5) ORG[5,6) ORG[6,7) PER[7,8)", Show(EntityTags.Decode(tags, Words(8), TaggingScheme.Bio, EntityDecoding.Conlleval)));
        Assert.AreEqual("w0 w1", EntityTags.Decode(tags, Words(8))[0].Text);
    }

    [TestMethod]
    public void Bioes_StrictKeepsOnlyClosedEntities_ConllevalKeepsEveryRun()
    {
        string[] tags = ["S-PER", "B-LOC", "I-LOC", "E-LOC", "B-ORG", "I-ORG", "O", "E-PER", "B-X", "S-Y"];
        Assert.AreEqual("PER[0,1) LOC[1,4) Y[9,10)", Show(EntityTags.Decode(tags, null, TaggingScheme.Bioes, EntityDecoding.Strict)));
        Assert.AreEqual("PER[0,1) LOC[1,4) ORG[4,6) PER[7,8) X[8,9) Y[9,10)",
            Show(EntityTags.Decode(tags, null, TaggingScheme.Bioes, EntityDecoding.Conlleval)));
        // E- then I- of the same type: two entities under conlleval.
        Assert.AreEqual("A[0,2) A[2,3)", Show(EntityTags.Decode(["B-A", "E-A", "I-A"], null, TaggingScheme.Bioes, EntityDecoding.Conlleval)));
    }

    [TestMethod]
    public void Decode_RejectsTagsOutsideTheScheme()
    {
        var e = Assert.ThrowsExactly<FormatException>(() => EntityTags.Decode(["O", "S-PER"], null, TaggingScheme.Bio));
        StringAssert.Contains(e.Message, "'S-PER' is not a Bio tag");
        Assert.ThrowsExactly<FormatException>(() => EntityTags.Decode(["B_PER"]));
    }

    [TestMethod]
    public void Evaluate_MatchesHandComputedCounts()
    {
        var gold = new[]
        {
            new ConllSentence(["a", "b", "c", "d", "e"], ["B-PER", "I-PER", "O", "B-LOC", "O"]),
            new ConllSentence(["Paris", "is", "in", "Paris", "x"], ["B-LOC", "O", "O", "B-LOC", "O"]),
        };
        IReadOnlyList<string>[] predicted =
        [
            ["B-PER", "I-PER", "O", "B-PER", "O"],
            ["B-LOC", "O", "O", "O", "I-LOC"],
        ];

        NerResult strict = NerEvaluator.Evaluate(gold, predicted);
        // Gold: PER(a b), LOC(d), LOC(Paris)@0, LOC(Paris)@3. Strict predictions: PER(a b), PER(d), LOC(Paris)@0.
        Assert.AreEqual(new EntityScores(4, 3, 2), strict.Micro);
        Assert.AreEqual(4.0 / 7, strict.Micro.F1, Tol);
        Assert.AreEqual(new EntityScores(1, 2, 1), strict.PerType["PER"]);
        Assert.AreEqual(new EntityScores(3, 1, 1), strict.PerType["LOC"]);
        Assert.AreEqual((2.0 / 3 + 0.5) / 2, strict.MacroF1, Tol);
        Assert.AreEqual((0.5 + 1.0) / 2, strict.MacroPrecision, Tol);
        Assert.AreEqual((1.0 + 1.0 / 3) / 2, strict.MacroRecall, Tol);
        // Surface forms: gold {PER a b, LOC d, LOC Paris}, predicted {PER a b, PER d, LOC Paris}, correct {PER a b, LOC Paris}.
        Assert.AreEqual(new EntityScores(3, 3, 2), strict.Surface);
        Assert.AreEqual(0.7, strict.TokenAccuracy, Tol);
        Assert.AreEqual(10, strict.Words);

        // conlleval also counts the orphan I-LOC on "x" as a (wrong) entity.
        NerResult lenient = NerEvaluator.Evaluate(gold, predicted, TaggingScheme.Bio, EntityDecoding.Conlleval);
        Assert.AreEqual(new EntityScores(4, 4, 2), lenient.Micro);
        Assert.AreEqual(0.5, lenient.Micro.F1, Tol);
        Assert.AreEqual(new EntityScores(3, 4, 2), lenient.Surface);
    }

    [TestMethod]
    public void Evaluate_RejectsMisalignedPredictions()
    {
        var gold = new[] { new ConllSentence(["a", "b"], ["O", "O"], Line: 7) };
        var e = Assert.ThrowsExactly<ArgumentException>(() => NerEvaluator.Evaluate(gold, [new[] { "O" }]));
        StringAssert.Contains(e.Message, "line 7");
        Assert.ThrowsExactly<ArgumentException>(() => NerEvaluator.Evaluate(gold, []));
    }

    [TestMethod]
    public void Reader_ReadsSentencesSeparatedByBlankOrWhitespaceLines()
    {
        using var files = new TempFiles();
        string path = files.Write("a.conll", "-DOCSTART-\tO", "", "Empire\tB-location", "State\tI-location", "\t", "hi\tO", "you\tB-person", "", "");
        IReadOnlyList<ConllSentence> sentences = ConllReader.Read(path);
        Assert.AreEqual(2, sentences.Count);
        CollectionAssert.AreEqual(new[] { "Empire", "State" }, sentences[0].Words.ToArray());
        CollectionAssert.AreEqual(new[] { "O", "B-person" }, sentences[1].Tags.ToArray());
        Assert.AreEqual(3, sentences[0].Line);
        Assert.AreEqual(6, sentences[1].Line);
        Assert.AreEqual("hi you", sentences[1].Text);
        CollectionAssert.AreEqual(new[] { "O", "B-location", "B-person", "I-location" }, ConllReader.LabelSet(sentences));
    }

    [TestMethod]
    public void Reader_NamesFileLineAndColumnOfBadInput()
    {
        using var files = new TempFiles();
        DataFileException Fails(string[] lines, IReadOnlyCollection<string>? labels = null, TaggingScheme scheme = TaggingScheme.Bio) =>
            Assert.ThrowsExactly<DataFileException>(() => ConllReader.Read(files.Write("bad.conll", lines), scheme, labels));

        DataFileException ragged = Fails(["a\tO", "b\tB-x\textra"]);
        Assert.AreEqual(2, ragged.LineNumber);
        StringAssert.Contains(ragged.Message, "bad.conll:line 2: expected 2 tab-separated fields (word, tag), got 3");
        Assert.AreEqual(1, Fails(["lonely"]).LineNumber);

        DataFileException outside = Fails(["a\tO", "b\tB-alien"], labels: ["O", "B-person", "I-person"]);
        Assert.AreEqual((2, 2), (outside.LineNumber, outside.Column));
        StringAssert.Contains(outside.Message, "tag 'B-alien' is not in the label set (B-person, I-person, O)");

        DataFileException scheme = Fails(["a\tS-person"]);
        StringAssert.Contains(scheme.Message, "'S-person' is not a Bio tag");
        Assert.AreEqual(1, ConllReader.Read(files.Write("ok.conll", "a\tS-person"), TaggingScheme.Bioes).Count);

        DataFileException empty = Fails(["a\tO", "", "", "b\tO"]);
        Assert.AreEqual(3, empty.LineNumber);
        StringAssert.Contains(empty.Message, "empty sentence");
        StringAssert.Contains(Fails(["", "a\tO"]).Message, "empty sentence: the file starts with a blank line");
        StringAssert.Contains(Fails(["\tO"]).Message, "empty word");
    }

    [TestMethod]
    public void Wnut17Dev_ReadsAllSentencesAndScoresItselfPerfectly()
    {
        IReadOnlyList<ConllSentence> dev = ConllReader.Read(SharedData.RequireFile("wnut17", "dev.conll"));
        Assert.AreEqual(1009, dev.Count);
        NerResult self = NerEvaluator.Evaluate(dev, dev.Select(s => s.Tags).ToArray());
        Assert.AreEqual(836, self.Micro.Gold);
        Assert.AreEqual(1.0, self.Micro.F1);
        Assert.AreEqual(1.0, self.Surface.F1);
        Assert.AreEqual(6, self.PerType.Count);
    }
}
