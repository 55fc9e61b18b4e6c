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
    public void TrainNerThenEvalNer_WriteModelPredictionsAndScores()
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
        }
        finally
        {
            Directory.Delete(encoder, recursive: true);
        }
    }
}
