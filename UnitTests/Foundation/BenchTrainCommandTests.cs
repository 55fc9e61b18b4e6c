using System.Text.Json;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Transforms;

namespace MLNetExt.UnitTests.Foundation;

/// <summary><c>mlnetext bench train</c>: times real fine-tuning steps at the asked lengths and writes them; bad lists exit 2 naming the value.</summary>
[TestClass]
[DoNotParallelize]
public sealed class BenchTrainCommandTests
{
    [TestMethod]
    public void BenchTrain_TimesStepsAtEachLengthAndWritesThem()
    {
        using var temp = new TempFolder();
        string json = temp.Combine("steps.json");
        CliResult result = CliRunner.RunCaptured("bench", "train", "--tokens", "8,12", "--batch-size", "2", "--steps", "2", "--threads", "1", "--json", json);
        Assert.AreEqual(0, result.Code, result.Output + result.Error);

        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement[] rows = [.. document.RootElement.EnumerateArray()];
        CollectionAssert.AreEqual(new[] { 8, 12 }, rows.Select(r => r.GetProperty("tokens").GetInt32()).ToArray());
        foreach (JsonElement row in rows)
        {
            Assert.AreEqual(2, row.GetProperty("steps").GetInt32(), "the warm-up step is not timed");
            double seconds = row.GetProperty("median_step_seconds").GetDouble();
            Assert.IsTrue(seconds > 0 && double.IsFinite(seconds), $"median step {seconds} s");
            Assert.AreEqual(2 / seconds, row.GetProperty("sentences_per_second").GetDouble(), 1e-9);
        }
    }

    [TestMethod]
    public void BenchTrain_RefusesBadLengthsNamingThem()
    {
        CliResult result = CliRunner.RunCaptured("bench", "train", "--tokens", "32,abc");
        Assert.AreEqual(2, result.Code);
        StringAssert.Contains(result.Output + result.Error, "--tokens");
        StringAssert.Contains(result.Output + result.Error, "32,abc");
    }
}
