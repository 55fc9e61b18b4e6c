using MLNetExt.Benchmarks.Runners;

namespace MLNetExt.UnitTests.Benchmarks;

[TestClass]
public sealed class PeakMemoryTests
{
    [TestMethod]
    public void AFailedResetIsReportedAndTheResultSaysThePeakCoversTheWholeProcess()
    {
        string unwritable = Path.Combine(Path.GetTempPath(), "mlnetext-no-such-folder-" + Guid.NewGuid().ToString("N"), "clear_refs");
        string? notReset = PeakMemory.Reset(unwritable);
        Assert.IsNotNull(notReset, "a reset that could not be written is not silent");
        string scope = EncodeBenchmark.PeakScope(notReset);
        StringAssert.StartsWith(scope, "whole process");
        StringAssert.Contains(scope, notReset);
        Assert.AreEqual("stream", EncodeBenchmark.PeakScope(null));
    }

    [TestMethod]
    public void TheResultCarriesThePeakScope()
    {
        string json = System.Text.Json.JsonSerializer.Serialize(new EncodeBenchResult { PeakScope = EncodeBenchmark.PeakScope("refused") });
        StringAssert.Contains(json, "\"peak_scope\":\"whole process");
    }
}
