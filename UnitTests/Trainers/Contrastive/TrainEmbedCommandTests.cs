using System.Text.Json;
using MLNetExt.Transforms;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Trainers.Contrastive;

[TestClass]
[DoNotParallelize]
public sealed class TrainEmbedCommandTests
{
    [TestMethod]
    public void TrainEmbed_TrainsScoresWritesTheFolderAndJson()
    {
        string encoder = TinyFineTuning.WriteEncoderFolder("mlnetext-tiny-embed-cli", seed: 6);
        try
        {
            string stsb = SharedData.RequireFile("stsb", "dev.tsv");
            string data = Path.Combine(encoder, "train.tsv"), sts = Path.Combine(encoder, "sts.tsv");
            File.WriteAllLines(data, File.ReadLines(stsb).Take(25));
            File.WriteAllLines(sts, File.ReadLines(stsb).Skip(100).Take(21).Prepend(File.ReadLines(stsb).First()));
            string outDir = Path.Combine(encoder, "out"), json = Path.Combine(encoder, "result.json");

            (int code, string output) = CliRunner.Run("train", "embed", "--loss", "cosent", "--data", data, "--score-range", "0:5",
                "--eval-sts", sts, "--eval-every", "2", "--encoder", encoder, "--batch-size", "8", "--learning-rate", "1e-3", "--max-tokens", "32", "--out", outDir, "--json", json);

            Assert.AreEqual(0, code, output);
            output = output.Replace(" \n", " ").Replace("\n", " "); // the console wraps long lines
            StringAssert.Contains(output, "with cosent on 24 rows: 3 steps");
            StringAssert.Contains(output, "STS cosine Spearman: before");
            StringAssert.Contains(output, "step 2/3 loss");
            StringAssert.Contains(output, "eval: sts/cosine_spearman");
            StringAssert.Contains(output, "Best evaluation at step");
            Assert.AreEqual(16, EncoderModel.Load(outDir).Config.HiddenSize);
            using JsonDocument result = JsonDocument.Parse(File.ReadAllText(json));
            Assert.AreEqual(3, result.RootElement.GetProperty("steps").GetInt32());
            Assert.AreEqual(2, result.RootElement.GetProperty("evaluations").GetArrayLength(), "steps 2 and 3 (the last)");
            int bestStep = result.RootElement.GetProperty("best_step").GetInt32();
            Assert.IsTrue(bestStep is 2 or 3);
            Assert.IsTrue(result.RootElement.GetProperty("sts_after").GetDouble() is > -1 and < 1);
            CollectionAssert.AreNotEqual(File.ReadAllBytes(Path.Combine(encoder, "model.onnx")), File.ReadAllBytes(Path.Combine(outDir, "model.onnx")));

            // A missing column is the user's to fix: the message names the file, the line and the column wanted.
CliResult failed = CliRunner.RunCaptured("train", "embed", "--loss", "mnrl", "--data", data, "--columns", "query,passage", "--encoder", encoder);
            Assert.AreNotEqual(0, failed.Code);
            StringAssert.Contains(failed.Error, "column 'query'");
        }
        finally
        {
            Directory.Delete(encoder, recursive: true);
        }
    }

    [TestMethod]
    public void TrainEmbed_WithAlsoData_TrainsOnBothSetsInTurnAndNamesABadSecondSet()
    {
        string encoder = TinyFineTuning.WriteEncoderFolder("mlnetext-tiny-embed-rr", seed: 7);
        try
        {
            string[] stsb = [.. File.ReadLines(SharedData.RequireFile("stsb", "dev.tsv")).Take(40)];
            string first = Path.Combine(encoder, "a.tsv"), second = Path.Combine(encoder, "b.tsv"), json = Path.Combine(encoder, "result.json");
            File.WriteAllLines(first, stsb.Take(17));                       // 16 pairs: 2 batches of 8
            File.WriteAllLines(second, stsb.Skip(17).Take(12).Prepend(stsb[0])); // 12 pairs: 2 batches (8 + 4)
            (int code, string output) = CliRunner.Run("train", "embed", "--loss", "mnrl", "--data", first, "--also-data", second,
                "--encoder", encoder, "--batch-size", "8", "--max-tokens", "32", "--json", json);
            Assert.AreEqual(0, code, output);
            using JsonDocument result = JsonDocument.Parse(File.ReadAllText(json));
            Assert.AreEqual(28, result.RootElement.GetProperty("rows").GetInt32());
            Assert.AreEqual(4, result.RootElement.GetProperty("steps").GetInt32(), "2 + 2 batches, none mixing the sets");

            string single = Path.Combine(encoder, "single.txt");
            File.WriteAllLines(single, ["one sentence", "another sentence"]);
            CliResult failed = CliRunner.RunCaptured("train", "embed", "--loss", "mnrl", "--data", first, "--also-data", single, "--columns", "sentence1,sentence2", "--encoder", encoder);
            Assert.AreEqual(2, failed.Code, failed.Output + failed.Error);
            StringAssert.Contains(failed.Error, "single.txt");
        }
        finally
        {
            Directory.Delete(encoder, recursive: true);
        }
    }

    [TestMethod]
    public void SelfSupervisedLossesReadAPlainTextFileWithoutColumns()
    {
        string encoder = TinyFineTuning.WriteEncoderFolder("mlnetext-tiny-embed-txt", seed: 8);
        try
        {
            string text = Path.Combine(encoder, "sentences.txt"), json = Path.Combine(encoder, "result.json");
            File.WriteAllLines(text, Enumerable.Range(0, 16).Select(i => $"sentence number {i} about item {i * 7 % 5}"));
            (int code, string output) = CliRunner.Run("train", "embed", "--loss", "mirror-bert", "--data", text,
                "--encoder", encoder, "--batch-size", "8", "--max-tokens", "16", "--json", json);
            Assert.AreEqual(0, code, output);
            using JsonDocument result = JsonDocument.Parse(File.ReadAllText(json));
            Assert.AreEqual(16, result.RootElement.GetProperty("rows").GetInt32());
            Assert.AreEqual(2, result.RootElement.GetProperty("steps").GetInt32());
        }
        finally
        {
            Directory.Delete(encoder, recursive: true);
        }
    }
}
