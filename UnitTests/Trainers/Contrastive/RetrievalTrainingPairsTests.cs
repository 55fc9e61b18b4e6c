using MLNetExt.Trainers.Contrastive;
using MLNetExt.UnitTests.Evaluation;

namespace MLNetExt.UnitTests.Trainers.Contrastive;

[TestClass]
public sealed class RetrievalTrainingPairsTests
{
    private static string WriteDataset(TempFiles tmp)
    {
        tmp.Write("toy/corpus.jsonl",
            """{"_id": "d1", "title": "Apples", "text": "red apple fruit orchard"}""",
            """{"_id": "d2", "title": "", "text": "green apple fruit"}""",
            """{"_id": "d3", "title": "", "text": "apple pie recipe with fruit"}""",
            """{"_id": "d4", "title": "", "text": "blue car engine wheel"}""",
            """{"_id": "d5", "title": "", "text": "car wheel tyre"}""");
        tmp.Write("toy/queries.jsonl", """{"_id": "q1", "text": "red apple fruit"}""", """{"_id": "q2", "text": "car wheel"}""", """{"_id": "q3", "text": "unjudged"}""");
        tmp.Write("toy/qrels/train.tsv", "query-id\tcorpus-id\tscore", "q1\td1\t1", "q1\td2\t1", "q2\td4\t1", "q2\td5\t0", "q2\tgone\t1");
        return Path.Combine(tmp.Folder, "toy");
    }

    [TestMethod]
    public void QrelsGiveOneRowPerRelevantPair_WithBm25sBestNonRelevantDocumentsAsNegatives()
    {
        using var tmp = new TempFiles();
        string folder = WriteDataset(tmp);

        IReadOnlyList<RetrievalTrainingPair> plain = RetrievalTrainingPairs.Build(folder);
        CollectionAssert.AreEqual(new[] { "q1/d1", "q1/d2", "q2/d4" }, plain.Select(p => $"{p.QueryId}/{p.DocumentId}").ToArray(),
            "grade 0 and documents missing from the corpus give no row");
        Assert.AreEqual("Apples red apple fruit orchard", plain[0].Positive, "title and text, as dense retrieval encodes them");
        Assert.AreEqual(0, plain[0].Negatives.Count);

        IReadOnlyList<RetrievalTrainingPair> mined = RetrievalTrainingPairs.Build(folder, new RetrievalTrainingPairsOptions { HardNegatives = 1 });
        // q1: d1 and d2 are relevant, so BM25's best other document is the apple pie; q2: d5 is judged (grade 0), so not a negative.
        Assert.AreEqual("apple pie recipe with fruit", mined[0].Negatives.Single());
        Assert.AreEqual(mined[0].Negatives.Single(), mined[1].Negatives.Single(), "one query, one mined list");
        // q2: BM25 ranks only d4 and d5, both judged; the negative is drawn from the unjudged documents.
        CollectionAssert.Contains(new[] { "Apples red apple fruit orchard", "green apple fruit", "apple pie recipe with fruit" }, mined[2].Negatives.Single());

        var skipped = RetrievalTrainingPairs.Build(folder, new RetrievalTrainingPairsOptions { HardNegatives = 1, HardNegativeSkip = 1 });
        Assert.AreNotEqual("apple pie recipe with fruit", skipped[0].Negatives.Single());

        var missing = Assert.ThrowsExactly<FileNotFoundException>(() => RetrievalTrainingPairs.Build(folder, new RetrievalTrainingPairsOptions { Split = "dev" }));
        StringAssert.Contains(missing.Message, "splits found: train");
    }
}
