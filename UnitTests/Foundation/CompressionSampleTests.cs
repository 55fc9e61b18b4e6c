using MLNetExt.Samples;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Foundation;

/// <summary>The compression sample runs end to end on small caps.</summary>
[TestClass]
[DoNotParallelize]
public sealed class CompressionSampleTests
{
    [TestMethod]
    public void CompressSample_QuantisesAndDistilsMiniLmAndScoresEach()
    {
        SharedData.Require("stsb");
        TextWriter original = Console.Out;
        var output = new StringWriter();
        Console.SetOut(output);
        (double Fp32, double Int8, double Student, double StudentInt8) scores;
        try
        {
            scores = EncoderCompressionSample.Example(SharedData.Root!, distillTexts: 16, devPairs: 60, maxTokens: 32);
        }
        finally
        {
            Console.SetOut(original);
        }
        string text = output.ToString();
        StringAssert.Contains(text, "6 QAttention, 18 DynamicQuantizeMatMul");
        StringAssert.Contains(text, "3-layer student (teacher layers 0, 3, 5), 16 texts, 1 steps");
        Assert.IsLessThan(0.02, Math.Abs(scores.Fp32 - scores.Int8), $"int8 {scores.Int8} vs fp32 {scores.Fp32}");
        Assert.IsGreaterThan(0.3, scores.Student, $"the student keeps a usable vector space: {scores.Student}");
        Assert.IsGreaterThan(0.3, scores.StudentInt8, $"int8 student: {scores.StudentInt8}");
    }
}
