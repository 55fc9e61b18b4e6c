using MLNetExt.Estimators.Compression;
using MLNetExt.Samples;
using MLNetExt.Transforms;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Transforms;

namespace MLNetExt.UnitTests.Foundation;

/// <summary>The compression search sample runs end to end on small caps and its choice agrees with its table.</summary>
[TestClass]
[DoNotParallelize]
public sealed class CompressionSweepSampleTests
{
    [TestMethod]
    public void AutoCompressSample_TriesLayersAndInt8OnMiniLmAndChoosesFromTheTable()
    {
        SharedData.Require("stsb");
        using var temp = new TempFolder();
        TextWriter original = Console.Out;
        var output = new StringWriter();
        Console.SetOut(output);
        CompressionSweepResult result;
        try
        {
            result = CompressionSweepSample.Example(SharedData.Root!, distillTexts: 16, stsPairs: 40, speedRows: 16, outputFolder: temp.Combine("sweep"));
        }
        finally
        {
            Console.SetOut(original);
        }
        string text = output.ToString();

        Assert.AreEqual(4, result.SearchSpaceSize, "layers {6, 3} x {fp32, int8}");
        Assert.AreEqual(4, result.Trials.Count, text);
        Assert.AreEqual(4, result.Trials.Select(t => t.Configuration).Distinct().Count(), "every configuration once");
        StringAssert.Contains(text, "4 configurations, at least 2x the original per CPU-second");
        foreach (CompressionTrial trial in result.Trials)
        {
            Assert.IsNull(trial.Error, $"trial {trial.TrialId} ({trial.Description}) failed: {trial.Error}");
            Assert.AreEqual(trial.SpeedupCpu >= 2, trial.Feasible, $"trial {trial.TrialId}: the constraint reads texts per CPU-second");
            StringAssert.Contains(text, $"trial {trial.TrialId}: {trial.Description}");
        }
        CompressionTrial student = result.Trials.Single(t => t.Configuration == new CompressionConfiguration(3, 1, true, "1"));
        Assert.AreEqual(3, EncoderModel.Load(student.ModelPath!).Config.Layers, "the int8 trial of 3 layers is the distilled student, quantised");
        Assert.IsGreaterThan(30, student.Quality!.Value, $"the student keeps a usable vector space: {student.Quality}");
        Assert.IsGreaterThan(60, result.OriginalQuality!.Value, "all-MiniLM-L6-v2 on the first 40 STS-B dev pairs");

        CompressionTrial[] feasible = result.Trials.Where(t => t.Feasible).ToArray();
        if (feasible.Length == 0)
        {
            Assert.IsNull(result.Chosen);
            StringAssert.Contains(text, "nothing chosen: No trial reached 2x");
        }
        else
        {
            Assert.AreEqual(feasible.Max(t => t.Quality), result.Chosen!.Quality, "the best quality among the trials that met the constraint");
            StringAssert.Contains(text, $"chosen: trial {result.Chosen.TrialId} ({result.Chosen.Description})");
            Assert.IsTrue(Directory.Exists(result.ModelPath), "the chosen model is written");
        }
    }
}
