using Microsoft.ML;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Evaluation.IO;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Evaluation;

[TestClass]
public sealed class GlueTests
{
    [TestMethod]
    public void Mrpc_ReadsDespiteBomAndQuotes()
    {
        var rows = GlueReader.ReadDev(GlueTask.Mrpc, SharedData.Require("mrpc"));
        Assert.AreEqual(408, rows.Count);
        Assert.AreEqual(279, rows.Count(r => r.LabelIndex == 1));
        Assert.AreEqual("\"The foodservice pie business does not fit our long-term growth strategy.", rows[0].Sentence2);
        Assert.AreEqual(2, rows[0].Line);
    }

    [TestMethod]
    public void Cola_ReadsWithoutHeader()
    {
        var rows = GlueReader.ReadDev(GlueTask.CoLA, SharedData.Require("cola"));
        Assert.AreEqual(1043, rows.Count);
        Assert.AreEqual(719, rows.Count(r => r.LabelIndex == 1));
        Assert.AreEqual("The sailors rode the breeze clear of the rocks.", rows[0].Sentence1);
    }

    [TestMethod]
    public void RteSst2AndStsb_ReadTheirLayouts()
    {
        var rte = GlueReader.ReadDev(GlueTask.Rte, SharedData.Require("rte"));
        Assert.AreEqual(277, rte.Count);
        Assert.AreEqual(146, rte.Count(r => r.Label == "entailment"));
        Assert.AreEqual(872, GlueReader.ReadDev(GlueTask.Sst2, SharedData.Require("sst2")).Count);
        var sts = GlueReader.ReadDev(GlueTask.StsB, SharedData.Require("stsb"));
        Assert.AreEqual(1500, sts.Count);
        Assert.AreEqual(5.0f, sts[0].Score);
        Assert.AreEqual("A man wearing a hard hat is dancing.", sts[0].Sentence2);
    }

    [TestMethod]
    public void BadRows_NameFileLineAndColumn()
    {
        using var tmp = new TempFiles();
        var badLabel = tmp.Write("rte.tsv", "index\tsentence1\tsentence2\tlabel", "0\ta\tb\tentailment", "1\ta\tb\tmaybe");
        var ex = Assert.ThrowsExactly<DataFileException>(() => GlueReader.Read(GlueTask.Rte, badLabel));
        Assert.AreEqual(3, ex.LineNumber);
        Assert.AreEqual(4, ex.Column);
        StringAssert.Contains(ex.Message, "'maybe'");

        var shortRow = tmp.Write("cola.tsv", "gj04\t1\t\tfine", "gj04\t1");
        Assert.AreEqual(2, Assert.ThrowsExactly<DataFileException>(() => GlueReader.Read(GlueTask.CoLA, shortRow)).LineNumber);

        var noColumn = tmp.Write("sst.tsv", "text\tlabel", "good\t1");
        StringAssert.Contains(Assert.ThrowsExactly<DataFileException>(() => GlueReader.Read(GlueTask.Sst2, noColumn)).Message, "'sentence'");
        Assert.ThrowsExactly<ArgumentException>(() => GlueTask.FromName("glue"));
        Assert.AreSame(GlueTask.StsB, GlueTask.FromName("stsb"));
    }

    private sealed class Prediction
    {
        public string Label { get; set; } = "";
        public string Predicted { get; set; } = "";
        public bool IsPositive { get; set; }
    }

    [TestMethod]
    public void Evaluator_ReadsKeyTextAndBooleanPredictionColumns()
    {
        var ml = new MLContext(seed: 1);
        var rows = new[]
        {
            new Prediction { Label = "not_entailment", Predicted = "entailment", IsPositive = false },
            new Prediction { Label = "entailment", Predicted = "entailment", IsPositive = true },
            new Prediction { Label = "not_entailment", Predicted = "not_entailment", IsPositive = true },
            new Prediction { Label = "entailment", Predicted = "entailment", IsPositive = false },
        };
        // Key type whose key values are the label text, in an order different from the task's.
        var data = ml.Transforms.Conversion.MapValueToKey("PredictedLabel", "Predicted",
            keyData: ml.Data.LoadFromEnumerable(new[] { new KeyRow { Predicted = "not_entailment" }, new KeyRow { Predicted = "entailment" } }))
            .Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));

        var fromKeys = GlueEvaluator.Evaluate(GlueTask.Rte, data);
        Assert.AreEqual(0.75, fromKeys.Primary, 1e-12);
        Assert.AreEqual(4, fromKeys.Count);

        var fromBool = GlueEvaluator.Evaluate(GlueTask.Mrpc, GlueEvaluatorTestsData(ml), "Gold", "IsPositive");
        Assert.AreEqual(2.0 / 3, fromBool.Metrics[GlueMetric.F1], 1e-12);  // TP 1, FP 1, FN 0
        Assert.AreEqual(0.75, fromBool.Metrics[GlueMetric.Accuracy], 1e-12);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GlueEvaluator.Evaluate(GlueTask.Rte, data, "Nope")).Message, "Could not find column 'Nope'");
    }

    private sealed class KeyRow
    {
        public string Predicted { get; set; } = "";
    }

    private sealed class BoolRow
    {
        public float Gold { get; set; }
        public bool IsPositive { get; set; }
    }

    private static IDataView GlueEvaluatorTestsData(MLContext ml) => ml.Data.LoadFromEnumerable(new[]
    {
        new BoolRow { Gold = 1, IsPositive = true },
        new BoolRow { Gold = 0, IsPositive = true },
        new BoolRow { Gold = 0, IsPositive = false },
        new BoolRow { Gold = 0, IsPositive = false },
    });

    [TestMethod]
    public void Evaluator_OnAnMLNetModel_AgreesWithMLNetAccuracy()
    {
        var gold = GlueReader.ReadDev(GlueTask.Rte, SharedData.Require("rte"));
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(gold);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("LabelKey", nameof(GlueExample.Label))
            .Append(ml.Transforms.Text.FeaturizeText("Features", nameof(GlueExample.Sentence2)))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("LabelKey", "Features", maximumNumberOfIterations: 5));
        var scored = pipeline.Fit(data).Transform(data);

        var ours = GlueEvaluator.Evaluate(GlueTask.Rte, gold, scored);
        var theirs = ml.MulticlassClassification.Evaluate(scored, "LabelKey");
        Assert.AreEqual(theirs.MicroAccuracy, ours.Metrics[GlueMetric.Accuracy], 1e-12);
        Assert.AreEqual(277, ours.Count);
    }
}
