using Microsoft.ML;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Trainers.Attribution;
using MLNetExt.Transforms.Attribution;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>The stock classifier and the faithfulness experiment behind <c>eval faithfulness</c>, on small slices of SST-2.</summary>
[TestClass]
public sealed class AttributionExperimentTests
{
    [TestMethod]
    public void StockClassifierLearnsSst2AndReadsTextOnly()
    {
        var ml = new MLContext(1);
        var train = GlueReader.Read(GlueTask.FromName("sst2"), SharedData.RequireFile("sst2", "train.tsv")).Take(3000).ToArray();
        var dev = GlueReader.Read(GlueTask.FromName("sst2"), SharedData.RequireFile("sst2", "dev.tsv")).Take(200).ToArray();
        ITransformer model = StockTextClassifier.Train(ml, train.Select(e => (e.Sentence1, e.LabelIndex)).ToArray(), 2);
        var explained = new ExplainedTextModel(model, "Sentence", "Score", mlContext: ml);
        float[][] outputs = explained.Score(dev.Select(d => new TextPair(d.Sentence1, null)).ToArray());
        double accuracy = dev.Select((d, i) => (outputs[i][1] > outputs[i][0] ? 1 : 0) == d.LabelIndex ? 1.0 : 0.0).Average();
        Assert.IsTrue(accuracy > 0.65, $"accuracy {accuracy}");
    }
}
