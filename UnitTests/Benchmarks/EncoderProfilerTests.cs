using MLNetExt.Benchmarks.Runners;
using MLNetExt.UnitTests.Transforms;

namespace MLNetExt.UnitTests.Benchmarks;

[TestClass]
public sealed class EncoderProfilerTests
{
    [TestMethod]
    public void ProfileListsEveryOperatorTypeWithSharesThatSumToOne()
    {
        EncoderProfile profile = EncoderProfiler.Profile(EncoderTestModels.MiniLM, rows: 2, tokens: 16, runs: 1, threads: 1);
        string[] operators = profile.KernelMicrosecondsByOperator.Select(p => p.Key).ToArray();
        CollectionAssert.Contains(operators, "MatMul");
        CollectionAssert.Contains(operators, "Softmax", "the original graph computes attention with Softmax, however small its share");
        Assert.AreEqual(1.0, profile.Shares().Sum(s => s.Share), 1e-9);
        CollectionAssert.AreEqual(profile.KernelMicrosecondsByOperator.Select(p => p.Value).OrderByDescending(v => v).ToArray(),
            profile.KernelMicrosecondsByOperator.Select(p => p.Value).ToArray(), "largest first");
        Assert.IsGreaterThan(0, profile.RowsPerSecond);
    }
}
