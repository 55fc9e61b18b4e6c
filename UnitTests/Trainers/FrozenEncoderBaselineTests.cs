using MLNetExt.Evaluation.Glue;
using MLNetExt.Trainers.Glue;

namespace MLNetExt.UnitTests.Trainers;

[TestClass]
public sealed class FrozenEncoderBaselineTests
{
    [TestMethod]
    public void BaselineClassifierLearnsSeparableFeaturesWithGlueLabelOrder()
    {
        // Feature 0 is the class (+-1 plus noise): the stock trainer must get every row right, and class i must stay GLUE's class i.
        var rng = new Random(1);
        GlueExample[] rows = Enumerable.Range(0, 100).Select(i => new GlueExample { LabelIndex = i % 2, Label = (i % 2).ToString() }).ToArray();
        float[][] features = rows.Select(r => Enumerable.Range(0, 8)
            .Select(j => (float)(j == 0 ? r.LabelIndex * 2 - 1 + 0.1 * rng.NextDouble() : rng.NextDouble())).ToArray()).ToArray();
        var outcome = FrozenEncoderBaseline.Fit(GlueTask.Sst2, features, rows, features, rows, null, 1, System.Diagnostics.Stopwatch.StartNew());
        Assert.AreEqual(1.0, outcome.Metrics["accuracy"], 1e-12);
    }
}
