using MLNetExt.Trainers.Native;
using MLNetExt.UnitTests.Infrastructure;

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
    public void InfoReportsTheVersionsNativeLibraryAndEncoders()
    {
        TorchSharpStatus status = TorchSharpRuntime.Probe();
        var (exit, output) = CliRunner.Run("info", "--no-materialize");

        Assert.AreEqual(0, exit, output);
        string flat = string.Join(" ", output.Split((char[])['\n', '\r', '│', '|', ' '], StringSplitOptions.RemoveEmptyEntries));
        StringAssert.Contains(flat, $"TorchSharp {status.TorchSharpVersion}");
        StringAssert.Contains(flat, $"libtorch {status.LibTorchVersion}");
        StringAssert.Contains(output, "TorchSharp native library loads");
        StringAssert.Contains(output.Replace("\n", ""), status.NativeLibraryPath!, "the path, as printed (wrapped at the console width)");
        StringAssert.Contains(flat, $"libtorch threads {status.Threads}");
        StringAssert.Contains(flat, $"logical cores {Environment.ProcessorCount}");
        foreach (var encoder in MLNetExt.Transforms.PretrainedEncoders.All)
            StringAssert.Contains(output, $"{encoder.Name}: ", "each pretrained encoder's cache folder is listed");
        StringAssert.Contains(output, "Everything required works.");
    }

    [TestMethod]
    public void ACorruptNativeLibraryIsReportedAsCorruptNotAsMissing()
    {
        using var folder = new MLNetExt.UnitTests.Transforms.TempFolder();
        string library = folder.Combine("libLibTorchSharp.so");
        File.WriteAllBytes(library, new byte[64]);

        var (weak, problem) = TorchSharpRuntime.InspectNativeLibrary(library);
        string message = TorchSharpRuntime.ExplainLoadFailure("cannot open shared object", library, problem, lacksAnchor: true, anchorWeak: weak);

        Assert.IsFalse(weak);
        StringAssert.Contains(message, $"{library} is corrupt: it is not a valid ELF shared library");
        Assert.DoesNotContain("not found", message);
        Assert.DoesNotContain("GLIBCXX", message, "the libstdc++ advice does not apply to a broken file");
    }

    [TestMethod]
    public void AnUnreadableNativeLibraryIsReportedAsUnreadable()
    {
        using var folder = new MLNetExt.UnitTests.Transforms.TempFolder();
        string library = folder.Combine("libLibTorchSharp.so");
        Directory.CreateDirectory(library); // a folder where the file should be: reading it fails like an unreadable file

        var (_, problem) = TorchSharpRuntime.InspectNativeLibrary(library);
        string message = TorchSharpRuntime.ExplainLoadFailure("cannot open shared object", library, problem, lacksAnchor: false, anchorWeak: false);

        StringAssert.Contains(message, $"{library} could not be read");
        Assert.DoesNotContain("not found", message);
    }

    [TestMethod]
    public void AMissingOrUnloadableNativeLibraryGetsItsOwnAdvice()
    {
        StringAssert.Contains(TorchSharpRuntime.ExplainLoadFailure("x", null, null, false, false), "was not found beside the application");
        StringAssert.Contains(TorchSharpRuntime.ExplainLoadFailure("x", "/a/libLibTorchSharp.so", null, true, false), "lacks GLIBCXX_3.4.32");
        StringAssert.Contains(TorchSharpRuntime.ExplainLoadFailure("x", "/a/libLibTorchSharp.so", null, false, false), "is present but did not load");
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
