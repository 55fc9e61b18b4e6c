using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Foundation;

[TestClass]
public sealed class BenchProfileCommandTests
{
    [TestMethod]
    public void ProfileOfTheDefaultFusedGraphShowsItsFusedKernels()
    {
        var (code, output) = CliRunner.Run("bench", "profile", "--batch", "2", "--tokens", "16", "--runs", "1");
        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "Attention");
        StringAssert.Contains(output, "MatMul");
        StringAssert.Contains(output, "rows/s");
    }

    [TestMethod]
    public void ProfileOfTheOriginalGraphHasNoFusedAttention()
    {
        var (code, output) = CliRunner.Run("bench", "profile", "--no-fuse", "--batch", "2", "--tokens", "16", "--runs", "1");
        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "Softmax");
        Assert.IsFalse(output.Contains("Attention", StringComparison.Ordinal), output);
    }
}
