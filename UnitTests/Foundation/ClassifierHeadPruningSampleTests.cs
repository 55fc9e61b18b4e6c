using Microsoft.ML;
using MLNetExt.Samples;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Trainers;
using MLNetExt.UnitTests.Transforms;

namespace MLNetExt.UnitTests.Foundation;

/// <summary>The SHRP sample runs end to end on a tiny saved classifier and small caps.</summary>
[TestClass]
[DoNotParallelize]
public sealed class ClassifierHeadPruningSampleTests
{
    [TestMethod]
    public void ShrpSample_PrunesASavedClassifierAndScoresBoth()
    {
        SharedData.Require("sst2");
        using var temp = new TempFolder();
        string model = temp.Combine("model.zip");
        ShrpTests.SaveTinyClassifier(model);
        TextWriter original = Console.Out;
        var output = new StringWriter();
        Console.SetOut(output);
        (double Original, double Pruned) scores;
        try
        {
            scores = ClassifierHeadPruningSample.Example(SharedData.Root!, trainRows: 32, modelPath: model, devRows: 24);
        }
        finally
        {
            Console.SetOut(original);
        }
        StringAssert.Contains(output.ToString(), "Shrp: 7 of 12 heads kept");
        Assert.IsTrue(scores.Pruned is >= 0 and <= 1 && scores.Original is >= 0 and <= 1, $"{scores}");
    }
}
