using MLNetExt.Samples;
using MLNetExt.Trainers.CrossModal;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Foundation;

/// <summary>The sentence-encoder and cross-modal samples run end to end on small caps.</summary>
[TestClass]
[DoNotParallelize]
public sealed class ContrastiveSamplesTests
{
    private static string Capture(Action sample)
    {
        TextWriter original = Console.Out;
        var output = new StringWriter();
        Console.SetOut(output);
        try
        {
            sample();
        }
        finally
        {
            Console.SetOut(original);
        }
        return output.ToString();
    }

    [TestMethod]
    public void ContrastiveSample_TrainsMiniLmWithCoSentAndScoresDevBeforeAndAfter()
    {
        SharedData.Require("stsb");
        (double before, double after) = (0, 0);
        string text = Capture(() => (before, after) = SentenceEncoderTrainingSample.Example(SharedData.Root!, trainPairs: 16, devPairs: 40, maxTokens: 32));
        StringAssert.Contains(text, "STS-B train: 16 pairs, dev: 40 pairs");
        StringAssert.Contains(text, "trained (1 steps");
        Assert.IsTrue(before > 0.5 && after > 0.5, $"before {before}, after {after}");
        StringAssert.Contains(text, $"untrained all-MiniLM-L6-v2: cosine spearman {before:F4}");
    }

    [TestMethod]
    public void AlignSample_PrintsBothModes()
    {
        SharedData.Require("mfeat");
        IReadOnlyDictionary<CrossModalMode, CrossModalEvaluationResult> results = null!;
        string text = Capture(() => results = CrossModalAlignmentSample.Example(SharedData.Root!, epochs: 2));
        StringAssert.Contains(text, "1500 training digits, 500 test digits");
        StringAssert.Contains(text, "LinearMap: 300 steps");
        Assert.IsTrue(results[CrossModalMode.ChannelEncoder].FeatureToCaptionAccuracy > 0.5);
        Assert.IsTrue(results[CrossModalMode.LinearMap].FeatureToCaptionAccuracy > 0.5);
    }
}
