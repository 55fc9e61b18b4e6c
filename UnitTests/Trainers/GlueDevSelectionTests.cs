using System.Text.Json;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Glue;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Transforms;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>
/// <c>train classify --eval-every</c>: dev is scored during training by the task's GLUE measure and the model ends with
/// the best evaluation's weights; CLS pooling trains; bad flags are refused naming the value.
/// </summary>
[TestClass]
public sealed class GlueDevSelectionTests
{
    [TestMethod]
    public void EachTaskIsSelectedByTheMeasureGlueReportsFirst()
    {
        Assert.AreEqual("accuracy", GlueBenchmarkOptions.ValidationMetric(GlueTask.Sst2));
        Assert.AreEqual("f1", GlueBenchmarkOptions.ValidationMetric(GlueTask.Mrpc));
        Assert.AreEqual("mcc", GlueBenchmarkOptions.ValidationMetric(GlueTask.CoLA));
        Assert.AreEqual("spearman", GlueBenchmarkOptions.ValidationMetric(GlueTask.StsB));
    }

    [TestMethod]
    public void CoLaRunKeepsTheStepWithTheBestDevMcc()
    {
        using var folder = new TempFolder("mlnetext-glue-dev");
        string encoder = TinyFineTuning.WriteEncoderFolder("mlnetext-tiny-encoder", seed: 5);
        try
        {
            // 96 rows in batches of 8: 12 steps, dev scored at 4, 8 and 12.
            var (code, output) = CliRunner.Run("train", "classify", "--task", "cola", "--data", SharedData.Require("cola"),
                "--encoder", encoder, "--mode", "finetune", "--max-train-rows", "96", "--batch-size", "8", "--max-tokens", "16",
                "--learning-rate", "1e-3", "--pooling", "cls", "--eval-every", "4", "--seed", "3", "--json", folder.Combine("cola.json"));
            Assert.AreEqual(0, code, output);

            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(folder.Combine("cola.json")));
            JsonElement run = json.RootElement.GetProperty("fineTuned");
            Assert.AreEqual("mcc", run.GetProperty("validationMetric").GetString());
            var points = run.GetProperty("evaluations").EnumerateArray()
                .Select(e => (Step: e.GetProperty("step").GetInt32(), Mcc: e.GetProperty("dev").GetProperty("mcc").GetDouble())).ToList();
            CollectionAssert.AreEqual(new[] { 4, 8, 12 }, points.Select(p => p.Step).ToArray());
            // The first evaluation with the highest MCC wins (a later tie is no improvement).
            int best = points.First(p => p.Mcc == points.Max(q => q.Mcc)).Step;
            Assert.AreEqual(best, run.GetProperty("finalStep").GetInt32());
            // The dev score reported at the end is the kept step's (scored again through the exported ONNX graph).
            double mccAtBest = points.Single(p => p.Step == best).Mcc;
            Assert.AreEqual(mccAtBest, run.GetProperty("dev").GetProperty("mcc").GetDouble(), 0.01);
            StringAssert.Contains(output, $"model from step {best} of 12");
            StringAssert.Contains(output, "step 8/12 eval: accuracy ", "each evaluation is printed as it happens");
        }
        finally
        {
            Directory.Delete(encoder, recursive: true);
        }
    }

    [TestMethod]
    public void BadSelectionFlagsAreRefused()
    {
        static void Refused(string expected, params string[] extra)
        {
            CliResult result = CliRunner.RunCaptured(["train", "classify", "--task", "cola", "--data", "d", .. extra]);
            Assert.AreEqual(2, result.Code, result.Error);
            StringAssert.Contains(result.Error, expected);
        }
        Refused("--pooling must be mean or cls, got 'max'", "--pooling", "max");
        Refused("--eval-every must be 'epoch' or a positive number of steps, got '0'", "--eval-every", "0");
        Refused("--early-stopping needs --eval-every", "--early-stopping", "2");
        Refused("--keep-last needs --eval-every", "--keep-last");
        Refused("--mode frozen fine-tunes none", "--mode", "frozen", "--eval-every", "epoch");
    }

    [TestMethod]
    public void AValidationMetricTheTaskDoesNotReportIsRefusedNamingIt()
    {
        var ml = new Microsoft.ML.MLContext();
        var unknown = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.EncoderSentenceSimilarity(new EncoderFineTuningOptions { ValidationMetric = "auc" }));
        StringAssert.Contains(unknown.Message, "'auc'");
        var wrongKind = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.EncoderSentenceSimilarity(new EncoderFineTuningOptions { ValidationMetric = "mcc" }));
        StringAssert.Contains(wrongKind.Message, "'mcc' is not a regression measure");
    }

    [TestMethod]
    public void InitModelContinuesTheSavedEncoderAndHead()
    {
        using var folder = new TempFolder("mlnetext-glue-continue");
        string encoder = TinyFineTuning.WriteEncoderFolder("mlnetext-tiny-encoder", seed: 6);
        try
        {
            string[] Common(string run, string task = "sst2") => ["train", "classify", "--task", task, "--data", SharedData.Require(task), "--mode", "finetune", "--max-train-rows", "32",
                "--batch-size", "8", "--max-tokens", "16", "--seed", "3", "--json", folder.Combine(run + ".json")];
            var (code, output) = CliRunner.Run([.. Common("first"), "--encoder", encoder, "--learning-rate", "1e-3", "--out", folder.Combine("first")]);
            Assert.AreEqual(0, code, output);
            string first = folder.Combine("first", "model.zip");

            // A learning rate too small to move any weight: the continued model must predict what the saved one does
            // (a fresh head would not).
            (code, output) = CliRunner.Run([.. Common("again"), "--init-model", first, "--learning-rate", "1e-12", "--out", folder.Combine("again")]);
            Assert.AreEqual(0, code, output);
            var ml = new Microsoft.ML.MLContext(0);
            var before = EncoderFineTuningTransformer.Load(ml, first);
            using var endBefore = Owned.Ends(before);
            var after = EncoderFineTuningTransformer.Load(ml, folder.Combine("again", "model.zip"));
            using var endAfter = Owned.Ends(after);
            string[] texts = ["a gripping , funny film", "dull and far too long", "it is what it is"];
            float[][] expected = before.Predict(texts), actual = after.Predict(texts);
            for (int i = 0; i < texts.Length; i++)
                CollectionAssert.AreEqual(expected[i], actual[i], new ToleranceComparer(1e-4f), texts[i]);

            // A model of another kind is refused, naming both.
            CliResult wrong = CliRunner.RunCaptured([.. Common("wrong", "stsb"), "--init-model", first]);
            Assert.AreEqual(2, wrong.Code, wrong.Error);
            StringAssert.Contains(wrong.Error, "classification model with 2 output(s)");
            StringAssert.Contains(wrong.Error, "regression with 1");
        }
        finally
        {
            Directory.Delete(encoder, recursive: true);
        }
    }

    [TestMethod]
    public void InitModelFlagsAreChecked()
    {
        CliResult missing = CliRunner.RunCaptured("train", "classify", "--task", "sst2", "--data", "d", "--mode", "finetune", "--init-model", "/no/such/model.zip");
        Assert.AreEqual(2, missing.Code, missing.Error);
        StringAssert.Contains(missing.Error, "/no/such/model.zip");
        CliResult both = CliRunner.RunCaptured("train", "classify", "--task", "sst2", "--data", "d", "--mode", "finetune", "--init-model", "m.zip", "--pooling", "cls");
        Assert.AreEqual(2, both.Code, both.Error);
        StringAssert.Contains(both.Error, "leave out --encoder and --pooling");
    }

    [TestMethod]
    public void EvalGlueScoresAFineTunedModelZipAsTrainingDid()
    {
        using var folder = new TempFolder("mlnetext-glue-eval-model");
        string encoder = TinyFineTuning.WriteEncoderFolder("mlnetext-tiny-encoder", seed: 4);
        try
        {
            var (code, output) = CliRunner.Run("train", "classify", "--task", "mrpc", "--data", SharedData.Require("mrpc"), "--encoder", encoder,
                "--mode", "finetune", "--max-train-rows", "32", "--batch-size", "8", "--max-tokens", "24", "--learning-rate", "1e-3",
                "--out", folder.Combine("model"), "--json", folder.Combine("train.json"));
            Assert.AreEqual(0, code, output);
            (code, output) = CliRunner.Run("eval", "glue", "--task", "mrpc", "--data", SharedData.Require("mrpc"),
                "--model", folder.Combine("model", "model.zip"), "--json", folder.Combine("eval.json"));
            Assert.AreEqual(0, code, output);

            using JsonDocument trained = JsonDocument.Parse(File.ReadAllText(folder.Combine("train.json")));
            using JsonDocument evaluated = JsonDocument.Parse(File.ReadAllText(folder.Combine("eval.json")));
            JsonElement dev = trained.RootElement.GetProperty("fineTuned").GetProperty("dev");
            JsonElement measures = evaluated.RootElement.GetProperty("measures");
            Assert.AreEqual(408, evaluated.RootElement.GetProperty("examples").GetInt32());
            foreach (string measure in new[] { "f1", "accuracy" })
            {
                JsonProperty scored = measures.EnumerateObject().Single(p => p.Name.Equals(measure, StringComparison.OrdinalIgnoreCase));
                Assert.AreEqual(dev.GetProperty(measure).GetDouble(), scored.Value.GetDouble(), 1e-9, measure);
            }
        }
        finally
        {
            Directory.Delete(encoder, recursive: true);
        }
    }

    private sealed class ToleranceComparer(float tolerance) : System.Collections.IComparer
    {
        public int Compare(object? x, object? y) => Math.Abs((float)x! - (float)y!) <= tolerance ? 0 : 1;
    }
}
