using MLNetExt.Samples;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Trainers;
using MLNetExt.UnitTests.Transforms;

namespace MLNetExt.UnitTests.Foundation;

/// <summary>The classifier distillation sample runs end to end on a tiny saved classifier and small caps.</summary>
[TestClass]
[DoNotParallelize]
public sealed class ClassifierDistillationSampleTests
{
    [TestMethod]
    public void DistilSample_DistilsASavedClassifierAndScoresOriginalStudentAndInt8()
    {
        SharedData.Require("sst2");
        using var temp = new TempFolder();
        string model = temp.Combine("model.zip");
        ShrpTests.SaveTinyClassifier(model);
        TextWriter original = Console.Out;
        var output = new StringWriter();
        Console.SetOut(output);
        (double Original, double Student, double StudentInt8) scores;
        try
        {
            scores = ClassifierDistillationSample.Example(SharedData.Root!, trainRows: 32, modelPath: model, devRows: 24, studentLayerCount: 2);
        }
        finally
        {
            Console.SetOut(original);
        }
        StringAssert.Contains(output.ToString(), "student of 2 layers (teacher layers 0,2), 1 steps");
        StringAssert.Contains(output.ToString(), "student int8");
        Assert.IsTrue(new[] { scores.Original, scores.Student, scores.StudentInt8 }.All(s => s is >= 0 and <= 1), $"{scores}");
    }
}
