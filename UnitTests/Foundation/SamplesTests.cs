using MLNetExt.Samples;

namespace MLNetExt.UnitTests.Foundation;

/// <summary>The samples really run and print what their documentation says.</summary>
[TestClass]
[DoNotParallelize]
public sealed class SamplesTests
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
        return output.ToString().Replace("\r\n", "\n");
    }

    [TestMethod]
    public void RankingSamplePrintsTheHandComputedMeasures()
    {
        string text = Capture(RankingMetricsSample.Example);
        StringAssert.Contains(text, "ndcg_cut_3   0.6956");
        StringAssert.Contains(text, "map_cut_10   0.6667");
        StringAssert.Contains(text, "recip_rank   0.7500");
    }

    [TestMethod]
    public void TunerSamplePrintsBothTuners()
    {
        string text = Capture(TunerSample.Example);
        StringAssert.Contains(text, "random  best Branin value after 40 trials: 0.6955");
        StringAssert.Contains(text, "tpe     best Branin value after 40 trials: 0.5204");
    }

    [TestMethod]
    public void EncoderSampleRuns()
    {
        string text = Capture(TextEncoderSample.Example);
        StringAssert.Contains(text, "reloaded pipeline gives the same vector: True");
    }
}
