using System.Text.Json;
using MLNetExt.UnitTests.Evaluation;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Trainers;

/// <summary><c>train ner</c> and <c>eval ner</c> on a tiny encoder and a tiny CoNLL folder.</summary>
[TestClass]
public sealed class NerCliTests
{
    private static string[] Sentences(int count)
    {
        string[] people = ["john", "mary", "anna"], places = ["paris", "rome"];
        var lines = new List<string>();
        for (int i = 0; i < count; i++)
        {
            lines.AddRange([$"{people[i % 3]}\tB-person", "visited\tO", $"{places[i % 2]}\tB-location", "today\tO", ""]);
        }
        return lines.ToArray();
    }

    [TestMethod]
    public void TrainNerThenEvalNerAndKeywordRetrieval_WriteModelPredictionsAndScores()
    {
        string encoder = TinyFineTuning.WriteEncoderFolder("mlnetext-ner-cli", seed: 3);
        using var files = new TempFiles();
        try
        {
            files.Write("data/train.conll", Sentences(12));
            string dev = files.Write("data/dev.conll", Sentences(4));
            string output = Path.Combine(files.Folder, "out"), json = Path.Combine(files.Folder, "result.json");
            CliResult run = CliRunner.RunCaptured("train", "ner", "--data", Path.Combine(files.Folder, "data"), "--encoder", encoder, "--epochs", "1",
                "--batch-size", "4", "--max-tokens", "16", "--out", output, "--json", json);
            (int code, string printed) = (run.Code, run.Output);
            Assert.AreEqual(0, code, printed + run.Error);
            StringAssert.Contains(printed, "strict F1");
            using (JsonDocument result = JsonDocument.Parse(File.ReadAllText(json)))
            {
                Assert.AreEqual(12, result.RootElement.GetProperty("trainSentences").GetInt32());
                Assert.AreEqual(4, result.RootElement.GetProperty("fineTuned").GetProperty("strict").GetProperty("sentences").GetInt32());
                Assert.AreEqual(8, result.RootElement.GetProperty("baseline").GetProperty("strict").GetProperty("micro").GetProperty("gold").GetInt32());
            }
            string[] predictions = File.ReadAllLines(Path.Combine(output, "dev.predictions.conll"));
            Assert.AreEqual(20, predictions.Length, "4 sentences of 4 words, a blank line after each");
            Assert.AreEqual(3, predictions[0].Split('\t').Length, "word, gold, predicted");

            (code, printed) = CliRunner.Run("eval", "ner", "--model", Path.Combine(output, "model.zip"), "--file", dev);
            Assert.AreEqual(0, code, printed);
            StringAssert.Contains(printed, "surface F1");

            string bad = files.Write("bad.conll", "paris\tB-planet");
            CliResult failed = CliRunner.RunCaptured("eval", "ner", "--model", Path.Combine(output, "model.zip"), "--file", bad);
            Assert.AreEqual(2, failed.Code, failed.Output);
            StringAssert.Contains(failed.Error, "bad.conll:line 1, column 2: tag 'B-planet' is not in the label set");

            KeywordRetrievalRuns(files, Path.Combine(output, "model.zip"));
        }
        finally
        {
            Directory.Delete(encoder, recursive: true);
        }
    }

    /// <summary><c>eval beir --keyword-model</c> with the model just trained: every system is scored again after re-ranking.</summary>
    private static void KeywordRetrievalRuns(TempFiles files, string model)
    {
        files.Write("beir/corpus.jsonl",
            """{"_id": "d1", "title": "Paris", "text": "john visited paris today"}""",
            """{"_id": "d2", "title": "", "text": "mary visited rome today"}""",
            """{"_id": "d3", "title": "Rome", "text": "anna visited rome"}""");
        files.Write("beir/queries.jsonl", """{"_id": "q1", "text": "john visited paris?"}""", """{"_id": "q2", "text": "who visited rome"}""");
        files.Write("beir/qrels/test.tsv", "query-id\tcorpus-id\tscore", "q1\td1\t1", "q2\td3\t1");
        string data = Path.Combine(files.Folder, "beir"), json = Path.Combine(files.Folder, "beir.json"), run = Path.Combine(files.Folder, "bm25.run");

        CliResult result = CliRunner.RunCaptured("eval", "beir", "--data", data, "--bm25-only", "--save-run", run, "--keyword-model", model,
            "--keyword-mode", "boost,filter", "--keyword-weight", "0.5", "--json", json);
        Assert.AreEqual(0, result.Code, result.Output + result.Error);
        StringAssert.Contains(result.Output, "of 2 queries");
        using (JsonDocument scored = JsonDocument.Parse(File.ReadAllText(json)))
        {
            string[] systems = scored.RootElement.EnumerateArray().Select(r => r.GetProperty("system").GetString()!).ToArray();
            Assert.AreEqual(3, systems.Length, string.Join(" | ", systems));
            StringAssert.EndsWith(systems[1], "+ keyword boost 0.5");
            StringAssert.EndsWith(systems[2], "+ keyword filter (all)");
        }

        // A saved run is scored (and re-ranked) without retrieving again: the same measures as the run that wrote it.
        string again = Path.Combine(files.Folder, "again.json");
        result = CliRunner.RunCaptured("eval", "beir", "--data", data, "--run", run, "--keyword-model", model, "--keyword-types", "person", "--json", again);
        Assert.AreEqual(0, result.Code, result.Output + result.Error);
        static double Ndcg10(string path, int index)
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement[index].GetProperty("evaluation").GetProperty("measures").GetProperty("ndcg_cut_10").GetDouble();
        }
        Assert.AreEqual(Ndcg10(json, 0), Ndcg10(again, 0), 1e-9);

        CliResult failed = CliRunner.RunCaptured("eval", "beir", "--data", data, "--bm25-only", "--keyword-model", model, "--keyword-types", "vehicle");
        Assert.AreEqual(2, failed.Code, failed.Output);
        StringAssert.Contains(failed.Error, "Entity type 'vehicle' is not predicted by the keyword model");
        failed = CliRunner.RunCaptured("eval", "beir", "--data", data, "--bm25-only", "--keyword-model", model, "--keyword-mode", "sideways");
        Assert.AreEqual(2, failed.Code, failed.Output);
        StringAssert.Contains(failed.Error, "--keyword-mode expects boost or filter");
    }
}
