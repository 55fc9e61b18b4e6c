using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Transforms;

namespace MLNetExt.UnitTests.Cli;

/// <summary><c>mlnetext auto compress</c>'s bad input: exit code 2 and a message naming the option and its value, before any work.</summary>
[TestClass]
public sealed class AutoCompressCommandTests
{
    [TestMethod]
    [DataRow("0.5", "got 0.5")]
    [DataRow("1", "got 1")]
    [DataRow("-3", "got -3")]
    [DataRow("NaN", "got NaN")]
    public void ABadMinimumSpeedupIsNamed(string value, string expected)
    {
        using var temp = new TempFolder();
        CliResult result = CliRunner.RunCaptured("auto", "compress", "--min-speedup", value, "--eval-sts", "sts.tsv", "--out", temp.Combine("out"));
        Assert.AreEqual(2, result.Code, result.Output + result.Error);
        StringAssert.Contains(result.Error, "--min-speedup");
        StringAssert.Contains(result.Error, expected);
    }

    [TestMethod]
    public void MissingOrUnparsableOptionsAreNamed()
    {
        using var temp = new TempFolder();
        string output = temp.Combine("out");
        CliResult missing = CliRunner.RunCaptured("auto", "compress", "--eval-sts", "sts.tsv", "--out", output);
        Assert.AreEqual(2, missing.Code);
        StringAssert.Contains(missing.Error, "--min-speedup X is required");

        CliResult words = CliRunner.RunCaptured("auto", "compress", "--min-speedup", "fast", "--out", output);
        Assert.AreEqual(2, words.Code);
        StringAssert.Contains(words.Error, "fast");

        CliResult measure = CliRunner.RunCaptured("auto", "compress", "--min-speedup", "2", "--speed-measure", "gpu", "--out", output);
        Assert.AreEqual(2, measure.Code);
        StringAssert.Contains(measure.Error, "--speed-measure must be cpu or wall; got 'gpu'");

        CliResult heads = CliRunner.RunCaptured("auto", "compress", "--min-speedup", "2", "--heads", "1,half", "--eval-sts", "sts.tsv", "--out", output);
        Assert.AreEqual(2, heads.Code);
        StringAssert.Contains(heads.Error, "--heads: 'half' is not a number");

        CliResult noSts = CliRunner.RunCaptured("auto", "compress", "--min-speedup", "2", "--out", output);
        Assert.AreEqual(2, noSts.Code);
        StringAssert.Contains(noSts.Error, "STS file");
    }

    [TestMethod]
    public void EveryVerbThatCompressesAFineTunedModelAsksForItsTaskTheSameWay()
    {
        using var temp = new TempFolder();
        string output = temp.Combine("out");
        foreach (string[] args in new[]
        {
            new[] { "auto", "compress", "--min-speedup", "2", "--model", "m.zip", "--task", "sst2", "--out", output },
            ["compress", "--model", "m.zip", "--data", "sst2", "--prune-heads", "0.4", "--out", output],
            ["train", "prune-tokens", "--model", "m.zip", "--curve", "1"],
        })
        {
            CliResult result = CliRunner.RunCaptured(args);
            Assert.AreEqual(2, result.Code, string.Join(" ", args));
            StringAssert.Contains(result.Error, "--model needs --task NAME and --data DIR", string.Join(" ", args));
        }
        CliResult noModel = CliRunner.RunCaptured("train", "prune-tokens", "--task", "sst2", "--data", "sst2");
        Assert.AreEqual(2, noModel.Code);
        StringAssert.Contains(noModel.Error, "--model MODEL.zip is required");
        Assert.IsFalse(Directory.Exists(output), "refused before any work");
    }
}
