using System.Text.Json;
using MLNetExt.Trainers.Training;
using MLNetExt.UnitTests.Transforms;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>Unlabelled text for distillation: .txt, tab-separated and BEIR corpus files; a cap draws on every file in turn.</summary>
[TestClass]
public sealed class UnlabelledTextTests
{
    [TestMethod]
    public void ACapTakesTextsFromEveryFileInTurnAndACorpusGivesTitleAndText()
    {
        using var temp = new TempFolder();
        string lines = temp.Combine("lines.txt"), table = temp.Combine("pairs.tsv"), corpus = temp.Combine("corpus.jsonl");
        File.WriteAllLines(lines, ["one", "two", "one", "three", " = Heading = ", "four", "five"]);
        File.WriteAllLines(table, ["sentence1\tsentence2\tscore", "left a\tright a\t1", "left b\tright b\t2"]);
        File.WriteAllLines(corpus, [
            JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = "1", ["title"] = "Title", ["text"] = "Body text." }),
            JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = "2", ["title"] = "", ["text"] = "Untitled body." }),
        ]);
        string[] columns = ["sentence1", "sentence2"];

        CollectionAssert.AreEqual(new[] { "one", "left a", "Title Body text.", "two", "left b", "Untitled body.", "three" },
            UnlabelledText.Read([lines, table, corpus], columns, 7), "one text from each file in turn; the repeated 'one' counts once");
        CollectionAssert.AreEqual(new[] { "one", "left a", "two", "left b", "three", "right a", "four", "right b", "five" },
            UnlabelledText.Read([lines, table], columns, null), "a file that runs out leaves the turn to the others");
        CollectionAssert.AreEqual(new[] { "one", "two" }, UnlabelledText.Read([lines], columns, 2));

        string empty = temp.Combine("empty.txt");
        File.WriteAllLines(empty, ["", "  "]);
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => UnlabelledText.Read([empty], columns, null)).Message, "empty.txt");
    }
}
