using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLNetExt.Notebooks;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Estimators;

[TestClass]
public sealed class AutoCommandTests
{
    // The one slow test of this area (about a minute): runs `auto classify` on an SST-2 slice, then builds the
    // generated consumption project with `dotnet build` and checks that it predicts and reproduces the metric.
    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task AutoClassifyWritesAModelAReportAProjectAndANotebookThatReproduceTheMetric()
    {
        string train = SharedData.RequireFile("sst2", "train.tsv");
        string dev = SharedData.RequireFile("sst2", "dev.tsv");
        string folder = Path.Combine(Path.GetTempPath(), "mlnetext-auto-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string valid = Path.Combine(folder, "valid.tsv");
            File.WriteAllLines(valid, File.ReadLines(dev).Take(201));
            string outDir = Path.Combine(folder, "out");
            int exit = MLNetExt.Cli.Program.Build().Run([
                "auto", "classify", "--dataset", train, "--valid", valid, "--label-col", "label", "--text-col", "sentence",
                "--max-rows", "2000", "--time", "60", "--max-trials", "3", "--featurizers", "featurize-text",
                "--trainers", "sdca,lbfgs", "--out", outDir]);
            Assert.AreEqual(0, exit);
            foreach (string file in new[] { "model.zip", "metrics.md", "metrics.json", "sweep/checkpoint.json" })
                Assert.IsTrue(File.Exists(Path.Combine(outDir, file)), file);

            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
            double accuracy = report.RootElement.GetProperty("best").GetProperty("metrics").GetProperty("accuracy").GetDouble();
            Assert.AreEqual(3, report.RootElement.GetProperty("trials").GetInt32());
            Assert.IsTrue(report.RootElement.TryGetProperty("libraryDefaults", out _));
            StringAssert.Contains(File.ReadAllText(Path.Combine(outDir, "metrics.md")), "validation: sweep best");

            string project = Path.Combine(outDir, "ModelConsumption");
            Run("dotnet", $"build \"{project}\" -c Release --nologo -v q", project);
            string dll = Path.Combine(project, "bin", "Release", "net10.0", "ModelConsumption.dll");
            string positive = Run("dotnet", $"\"{dll}\" \"a wonderful , moving and beautifully acted film\"", project);
            StringAssert.Contains(positive, "PredictedLabel: 1");
            string evaluated = Run("dotnet", $"\"{dll}\" --evaluate \"{valid}\"", project);
            StringAssert.Contains(evaluated, $"accuracy {accuracy.ToString("F4", CultureInfo.InvariantCulture)} on 200 rows");

            // The training notebook trains the chosen pipeline again from its source and reproduces the validation figure.
            string notebook = await RunTrainingNotebookAsync(outDir);
            StringAssert.Contains(notebook, "mlContext.Transforms.Text.FeaturizeText(");
            StringAssert.Contains(notebook, $"validation accuracy: {accuracy.ToString("F4", CultureInfo.InvariantCulture)} (the sweep measured");
            StringAssert.Contains(notebook, "the loaded model agrees on 200 of 200 validation rows");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // Fine-tunes all-MiniLM-L6-v2 for one epoch on 80 rows (about 20 s), then builds and runs the consumption project
    // (without the baselines: on 80 rows the nearest centroid beats one epoch of fine-tuning and would be chosen), and
    // runs the training notebook, which fine-tunes again from its source.
    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task AutoClassifyWithTheFineTuningTrainerWritesAProjectAndANotebookThatLoadTheFineTunedModel()
    {
        string train = SharedData.RequireFile("sst2", "train.tsv");
        string dev = SharedData.RequireFile("sst2", "dev.tsv");
        string folder = Path.Combine(Path.GetTempPath(), "mlnetext-auto-finetune-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string valid = Path.Combine(folder, "valid.tsv");
            File.WriteAllLines(valid, File.ReadLines(dev).Take(41));
            string outDir = Path.Combine(folder, "out");
            string[] arguments = [
                "auto", "classify", "--dataset", train, "--valid", valid, "--label-col", "label", "--text-col", "sentence",
                "--max-rows", "80", "--time", "120", "--max-trials", "1", "--no-baselines", "--trainers", "finetune,nope", "--out", outDir];
            var unknown = Assert.ThrowsExactly<ArgumentException>(() => MLNetExt.Cli.Program.Build().Run(arguments));
            StringAssert.Contains(unknown.Message, "unknown trainer 'nope' for Classification; expected some of sdca, lbfgs, fasttree, lightgbm, finetune");
            arguments[^3] = "finetune";
            Assert.AreEqual(0, MLNetExt.Cli.Program.Build().Run(arguments));

            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
            JsonElement best = report.RootElement.GetProperty("best");
            StringAssert.StartsWith(best.GetProperty("pipeline").GetString(), "finetune(");
            double accuracy = best.GetProperty("metrics").GetProperty("accuracy").GetDouble();

            string project = Path.Combine(outDir, "ModelConsumption");
            Run("dotnet", $"build \"{project}\" -c Release --nologo -v q", project);
            string dll = Path.Combine(project, "bin", "Release", "net10.0", "ModelConsumption.dll");
            StringAssert.Matches(Run("dotnet", $"\"{dll}\" \"a wonderful , moving and beautifully acted film\"", project), new System.Text.RegularExpressions.Regex("PredictedLabel: [01]"));
            string evaluated = Run("dotnet", $"\"{dll}\" --evaluate \"{valid}\"", project);
            StringAssert.Contains(evaluated, $"accuracy {accuracy.ToString("F4", CultureInfo.InvariantCulture)} on 40 rows");

            string notebook = await RunTrainingNotebookAsync(outDir);
            StringAssert.Contains(notebook, "trainerContext.MulticlassClassification.Trainers.EncoderTextClassification(");
            StringAssert.Matches(notebook, new System.Text.RegularExpressions.Regex(@"validation accuracy: [01]\.\d{4} \(the sweep measured"));
            StringAssert.Contains(notebook, "the loaded model agrees on 40 of 40 validation rows");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // `auto regress` with the encoder featurizer on a sentence pair: the generated project takes the regression branch
    // and the encoder branch (LoadWithEncoders after registering the pair-similarity mapping's assembly). One sweep
    // trial on 200 STS-B rows, one build.
    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task AutoRegressWithTheEncoderFeaturizerWritesAProjectAndANotebookThatReproduceTheMetric()
    {
        string train = SharedData.RequireFile("stsb", "train.tsv");
        string dev = SharedData.RequireFile("stsb", "dev.tsv");
        string folder = Path.Combine(Path.GetTempPath(), "mlnetext-auto-regress-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string valid = Path.Combine(folder, "valid.tsv");
            File.WriteAllLines(valid, File.ReadLines(dev).Take(61));
            string outDir = Path.Combine(folder, "out");
            Assert.AreEqual(0, MLNetExt.Cli.Program.Build().Run([
                "auto", "regress", "--dataset", train, "--valid", valid, "--label-col", "score", "--text-col", "sentence1,sentence2",
                "--max-rows", "200", "--time", "120", "--max-trials", "1", "--featurizers", "encoder", "--trainers", "sdca",
                "--metric", "pearson", "--out", outDir]));

            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
            JsonElement best = report.RootElement.GetProperty("best");
            StringAssert.Contains(best.GetProperty("pipeline").GetString(), "encoder");
            JsonElement metrics = best.GetProperty("metrics");

            string project = Path.Combine(outDir, "ModelConsumption");
            string program = File.ReadAllText(Path.Combine(project, "Program.cs"));
            StringAssert.Contains(program, "ml.ComponentCatalog.RegisterAssembly(");
            StringAssert.Contains(program, "ml.Model.LoadWithEncoders(");
            Run("dotnet", $"build \"{project}\" -c Release --nologo -v q", project);
            string dll = Path.Combine(project, "bin", "Release", "net10.0", "ModelConsumption.dll");

            // A paraphrase scores higher than an unrelated pair.
            double Score(string a, string b)
            {
                string output = Run("dotnet", $"\"{dll}\" \"{a}\" \"{b}\"", project);
                var match = System.Text.RegularExpressions.Regex.Match(output, @"Score: (-?\d+\.\d{4})");
                Assert.IsTrue(match.Success, output);
                return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            }
            double close = Score("A man is playing a guitar.", "A man plays the guitar.");
            double far = Score("A man is playing a guitar.", "The stock market fell sharply today.");
            Assert.IsGreaterThan(far, close);

            string evaluated = Run("dotnet", $"\"{dll}\" --evaluate \"{valid}\"", project);
            var printed = System.Text.RegularExpressions.Regex.Match(evaluated, @"pearson (-?\d\.\d{4}) spearman (-?\d\.\d{4}) rmse (\d+\.\d{4}) on 60 rows");
            Assert.IsTrue(printed.Success, evaluated);
            foreach (var (name, group) in new[] { ("pearson", 1), ("spearman", 2), ("rmse", 3) })
                Assert.AreEqual(metrics.GetProperty(name).GetDouble(), double.Parse(printed.Groups[group].Value, CultureInfo.InvariantCulture), 1e-3,
                    $"{name}: the project reproduces the sweep's validation figure\n{evaluated}");

            string notebook = await RunTrainingNotebookAsync(outDir);
            StringAssert.Contains(notebook, "PairSimilarityFactory");
            StringAssert.Contains(notebook, $"validation pearson: {metrics.GetProperty("pearson").GetDouble().ToString("F4", CultureInfo.InvariantCulture)} (the sweep measured");
            StringAssert.Contains(notebook, "the loaded model agrees on 60 of 60 validation rows");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // `auto regress` on 20 STS-B pairs: the zero-training cosine baseline beats a regression fitted on so few rows, so
    // the training notebook takes its baseline branch and must reproduce the baseline's validation figure.
    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task AutoRegressWhereABaselineWinsWritesANotebookThatReproducesTheBaseline()
    {
        string train = SharedData.RequireFile("stsb", "train.tsv");
        string dev = SharedData.RequireFile("stsb", "dev.tsv");
        string folder = Path.Combine(Path.GetTempPath(), "mlnetext-auto-baseline-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string valid = Path.Combine(folder, "valid.tsv");
            File.WriteAllLines(valid, File.ReadLines(dev).Take(31));
            string outDir = Path.Combine(folder, "out");
            Assert.AreEqual(0, MLNetExt.Cli.Program.Build().Run([
                "auto", "regress", "--dataset", train, "--valid", valid, "--label-col", "score", "--text-col", "sentence1,sentence2",
                "--max-rows", "20", "--time", "60", "--max-trials", "1", "--featurizers", "encoder", "--trainers", "sdca",
                "--metric", "spearman", "--out", outDir]));

            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
            JsonElement best = report.RootElement.GetProperty("best");
            StringAssert.StartsWith(best.GetProperty("pipeline").GetString(), "cosine(");
            double spearman = best.GetProperty("metrics").GetProperty("spearman").GetDouble();

            string notebook = await RunTrainingNotebookAsync(outDir);
            StringAssert.Contains(notebook, "SweepBaselines.For(SweepTask.Regression");
            StringAssert.Contains(notebook, $"validation spearman: {spearman.ToString("F4", CultureInfo.InvariantCulture)} (the sweep measured");
            StringAssert.Contains(notebook, "the loaded model agrees on 30 of 30 validation rows");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void AutoRefusesAMissingColumnNamingTheFileAndHeader()
    {
        string train = SharedData.RequireFile("sst2", "train.tsv");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => MLNetExt.Cli.Program.Build().Run([
            "auto", "classify", "--dataset", train, "--label-col", "label", "--text-col", "review",
            "--time", "5", "--out", Path.Combine(Path.GetTempPath(), "mlnetext-auto-unused")]));
        StringAssert.Contains(e.Message, "line 1: no text column 'review'");
    }

    // Runs the generated ModelTraining.ipynb; returns its source and output.
    private static async Task<string> RunTrainingNotebookAsync(string outDir)
    {
        string path = Path.Combine(outDir, "ModelTraining.ipynb");
        NotebookRunResult run = await NotebookRunner.RunAsync(path);
        Assert.IsTrue(run.Succeeded, run.FailureMessage ?? "the run stopped early");
        return string.Join("\n", run.Cells.Select(c => c.Source)) + "\n" + run.Output;
    }

    private static string Run(string file, string arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        string output = stdout.Result + stderr.Result;
        Assert.AreEqual(0, process.ExitCode, $"{file} {arguments} failed:\n{output}");
        return output;
    }
}
