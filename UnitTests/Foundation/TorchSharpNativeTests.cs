using MLNetExt.Trainers.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Foundation;

[TestClass]
public sealed class TorchSharpNativeTests
{
    [TestMethod]
    public void LinearModelTrainsOnCpu()
    {
        // Loads libtorch through libLibTorchSharp.so: fails here when the libstdc++ compatibility fix is missing.
        random.manual_seed(7);
        using var scope = NewDisposeScope();
        var x = randn(64, 4);
        var trueWeights = tensor(new float[] { 1.5f, -2f, 0.5f, 3f }).reshape(4, 1);
        var y = x.matmul(trueWeights) + 0.1f;

        var model = nn.Linear(4, 1);
        var optimizer = optim.SGD(model.parameters(), learningRate: 0.1);
        float first = 0, last = 0;
        for (int step = 0; step < 20; step++)
        {
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.forward(x), y);
            loss.backward();
            optimizer.step();
            float value = loss.item<float>();
            if (step == 0) first = value;
            last = value;
        }
        Assert.IsLessThan(first * 0.1f, last, $"loss went from {first} to {last}");
    }

    [TestMethod]
    public void OutputCopyOfTorchSharpToleratesOldLibStdCxx()
    {
        string? system = ElfVersionNeeds.FindSystemLibStdCxx();
        if (system is null || ElfVersionNeeds.DefinesVersion(system, ElfVersionNeeds.TorchSharpAnchorVersion))
            Assert.Inconclusive("The system libstdc++ has GLIBCXX_3.4.32; the build leaves TorchSharp untouched here.");

        string library = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).Single();
        var anchor = ElfVersionNeeds.Read(File.ReadAllBytes(library))
            .Single(n => n.File == ElfVersionNeeds.LibStdCxx && n.Version == ElfVersionNeeds.TorchSharpAnchorVersion);
        Assert.IsTrue(anchor.IsWeak, "The build should have marked the GLIBCXX_3.4.32 need weak in the output folder.");
    }

    [TestMethod]
    public void MarkWeakChangesOnlyTheAnchorAndIsIdempotent()
    {
        string library = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).Single();
        byte[] bytes = File.ReadAllBytes(library);
        var before = ElfVersionNeeds.Read(bytes);
        // Start from the unpatched state whatever the build did.
        var anchor = before.Single(n => n.Version == ElfVersionNeeds.TorchSharpAnchorVersion);
        bytes[anchor.FlagsOffsetForTests()] = 0;
        bytes[anchor.FlagsOffsetForTests() + 1] = 0;
        byte[] original = (byte[])bytes.Clone();

        Assert.IsTrue(ElfVersionNeeds.MarkWeak(bytes, ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.TorchSharpAnchorVersion));
        Assert.IsFalse(ElfVersionNeeds.MarkWeak(bytes, ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.TorchSharpAnchorVersion));

        var after = ElfVersionNeeds.Read(bytes);
        Assert.HasCount(before.Count, after);
        Assert.AreEqual(1, after.Count(n => n.IsWeak), "exactly one entry becomes weak");
        int differing = original.Where((b, i) => b != bytes[i]).Count();
        Assert.AreEqual(1, differing, "one byte (the low byte of vna_flags) changes");
        Assert.IsGreaterThan(20, after.Count, "libLibTorchSharp.so lists its libc and libstdc++ needs");
    }

    [TestMethod]
    public void ReadRejectsNonElfInput()
    {
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.Read(new byte[128]));
        StringAssert.Contains(error.Message, "Not an ELF file");
    }
}
