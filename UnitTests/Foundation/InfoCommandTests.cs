using MLNetExt.Trainers.Native;

namespace MLNetExt.UnitTests.Foundation;

[TestClass]
public sealed class InfoCommandTests
{
    [TestMethod]
    public void ProbeReportsTorchSharpLoadedAndFixState()
    {
        TorchSharpStatus status = TorchSharpRuntime.Probe();
        Assert.IsTrue(status.Loaded, status.Error);
        Assert.IsNull(status.Error);
        Assert.IsNotNull(status.NativeLibraryPath);
        Assert.AreEqual("0.107.0", status.TorchSharpVersion);
        StringAssert.StartsWith(status.LibTorchVersion, "2.");
        Assert.IsGreaterThanOrEqualTo(1, status.Threads);
        if (status.SystemLacksAnchorVersion)
            Assert.IsTrue(status.FixApplied, "libtorch loaded on a system that lacks GLIBCXX_3.4.32, so the fix must be in place.");
    }

    [TestMethod]
    public void InfoExitsZeroWhenEverythingWorks()
    {
        int exit = MLNetExt.Cli.Program.Build().Run(new[] { "info" });
        Assert.AreEqual(0, exit);
    }
}

[TestClass]
public sealed class DemoCommandTests
{
    [TestMethod]
    public void DemoEncodesSentencesAndExitsZero()
    {
        int exit = MLNetExt.Cli.Program.Build().Run(new[] { "demo", "A cat sits on the mat.", "A kitten is sitting on a rug." });
        Assert.AreEqual(0, exit);
    }

    [TestMethod]
    public void DemoNamesAnUnknownModel()
    {
        var error = Assert.Throws<ArgumentException>(() => MLNetExt.Cli.Program.Build().Run(new[] { "demo", "--model", "no-such-model", "x" }));
        StringAssert.Contains(error.Message, "no-such-model");
    }
}

[TestClass]
public sealed class CliErrorTests
{
    [TestMethod]
    public void ExpectedFailuresPrintTheMessageAndExitNonZero()
    {
        var error = new StringWriter();
        TextWriter original = Console.Error;
        Console.SetError(error);
        try
        {
            int exit = MLNetExt.Cli.Program.Main(new[] { "demo", "--model", "no-such-model", "x" });
            Assert.AreEqual(2, exit, "an unknown model is bad input");
        }
        finally
        {
            Console.SetError(original);
        }
        StringAssert.StartsWith(error.ToString(), "error: There is no pretrained encoder named 'no-such-model'");
        Assert.DoesNotContain("   at ", error.ToString(), "no stack trace for an expected failure");
    }
}
