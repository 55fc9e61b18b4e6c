using MLNetExt.Samples;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Foundation;

/// <summary>The head-pruning sample runs end to end on small caps.</summary>
[TestClass]
[DoNotParallelize]
public sealed class HeadPruningSampleTests
{
    [TestMethod]
    public void PruneSample_RemovesFortyPercentOfMiniLmHeadsAndScoresBoth()
    {
        SharedData.Require("stsb");
        TextWriter original = Console.Out;
        var output = new StringWriter();
        Console.SetOut(output);
        (double Original, double Pruned) scores;
        try
        {
            scores = HeadPruningSample.Example(SharedData.Root!, texts: 16, devPairs: 60, importanceBatches: 1);
        }
        finally
        {
            Console.SetOut(original);
        }
        string text = output.ToString();
        StringAssert.Contains(text, "43 of 72 heads kept");
        Assert.IsGreaterThan(0.3, scores.Pruned, $"the pruned encoder keeps a usable vector space: {scores.Pruned} (original {scores.Original})");
    }
}
