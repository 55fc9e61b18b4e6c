using System.Text.Json;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Trainers.Contrastive;

[TestClass]
[DoNotParallelize]
public sealed class TrainAlignCommandTests
{
    [TestMethod]
    public void TrainAlign_TrainsBothModesAndPrintsAccuracyAndRecall()
    {
        string mfeat = SharedData.Require("mfeat");
        string encoder = TinyFineTuning.WriteEncoderFolder("mlnetext-tiny-align-cli", seed: 8);
        try
        {
            string json = Path.Combine(encoder, "align.json");
            // 30 training and 10 test digits per class, 3 epochs: seconds. The tiny random text tower still gives ten distinct caption vectors.
            (int code, string output) = CliRunner.Run("train", "align", "--data", mfeat, "--train-per-class", "30", "--test-per-class", "10",
                "--epochs", "3", "--encoder", encoder, "--json", json);

            Assert.AreEqual(0, code, output);
            output = output.Replace(" \n", " ").Replace("\n", " ");
            StringAssert.Contains(output, "300 training digits, 100 test digits");
            StringAssert.Contains(output, "ChannelEncoder: feature -> caption accuracy");
            StringAssert.Contains(output, "LinearMap: feature -> caption accuracy");
            StringAssert.Contains(output, "recall@10");
            using JsonDocument result = JsonDocument.Parse(File.ReadAllText(json));
            JsonElement[] modes = result.RootElement.GetProperty("modes").EnumerateArray().ToArray();
            Assert.HasCount(2, modes);
            foreach (JsonElement mode in modes)
            {
                double accuracy = mode.GetProperty("accuracy").GetDouble();
                Assert.IsTrue(accuracy > 0.3, $"{mode.GetProperty("mode")}: accuracy {accuracy} (chance 0.1)");
                Assert.AreEqual(6, mode.GetProperty("accuracy_without_channel").EnumerateObject().Count());
                Assert.IsTrue(mode.GetProperty("recall_at_10").GetDouble() is > 0 and <= 1);
                Assert.AreEqual(90, mode.GetProperty("steps").GetInt32(), "3 epochs of 300 digits; a batch holds one digit per caption, so 30 batches of 10 each");
            }

            CliResult bad = CliRunner.RunCaptured("train", "align", "--data", mfeat, "--train-per-class", "200", "--encoder", encoder);
            Assert.AreNotEqual(0, bad.Code);
            StringAssert.Contains(bad.Error, "TrainPerClass must leave digits of each class for testing");
            Assert.AreNotEqual(0, CliRunner.RunCaptured("train", "align", "--data", mfeat, "--mode", "clip").Code);
        }
        finally
        {
            Directory.Delete(encoder, recursive: true);
        }
    }
}
