using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MLNetExt.Notebooks;
using MLNetExt.UnitTests.Evaluation;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Foundation;

/// <summary>
/// The notebooks of Samples/Notebooks run top to bottom in a C# kernel against the assemblies these tests were built
/// with, print the numbers their text promises, and keep their outputs in the file.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed partial class NotebooksTests
{
    public TestContext TestContext { get; set; } = null!;

    private static string NotebookPath(string name)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string path = Path.Combine(folder.FullName, "Samples", "Notebooks", name);
            if (File.Exists(path))
                return path;
        }
        throw new FileNotFoundException($"Samples/Notebooks/{name} not found above {AppContext.BaseDirectory}.");
    }

    private async Task<NotebookRunResult> RunAsync(string name)
    {
        NotebookRunResult result = await NotebookRunner.RunAsync(NotebookPath(name), new NotebookRunOptions { AssemblyFolder = AppContext.BaseDirectory },
            TestContext.CancellationToken);
        TestContext.WriteLine($"{name}: {result.Elapsed.TotalSeconds:F1} s ({string.Join(", ", result.Cells.Select(c => $"cell {c.CellNumber} {c.Elapsed.TotalSeconds:F1} s"))})");
        if (!result.Succeeded)
            Assert.Fail(result.FailureMessage ?? "the run stopped early");
        return result;
    }

    // Every code cell of the stored notebook has been run (an execution count), and cells that print have stored output.
    private static void AssertOutputsStored(string name, NotebookRunResult run)
    {
        using JsonDocument notebook = JsonDocument.Parse(File.ReadAllText(NotebookPath(name)));
        var code = notebook.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.GetProperty("cell_type").GetString() == "code").ToArray();
        Assert.HasCount(run.Cells.Count, code);
        for (int i = 0; i < code.Length; i++)
        {
            Assert.AreEqual(JsonValueKind.Number, code[i].GetProperty("execution_count").ValueKind, $"{name}: code cell {i + 1} was run before saving");
            if (run.Cells[i].Output.Length > 0)
                Assert.IsGreaterThan(0, code[i].GetProperty("outputs").GetArrayLength(), $"{name}: cell {run.Cells[i].CellNumber} prints, and its output is stored");
        }
    }

    // Deterministic notebooks: the stored standard output equals this run's, cell by cell.
    private static void AssertStoredOutputsAreCurrent(string name, NotebookRunResult run)
    {
        using JsonDocument notebook = JsonDocument.Parse(File.ReadAllText(NotebookPath(name)));
        var code = notebook.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.GetProperty("cell_type").GetString() == "code").ToArray();
        for (int i = 0; i < code.Length; i++)
        {
            string stored = string.Concat(code[i].GetProperty("outputs").EnumerateArray()
                .Where(o => o.GetProperty("output_type").GetString() == "stream")
                .SelectMany(o => o.GetProperty("text").ValueKind == JsonValueKind.Array
                    ? o.GetProperty("text").EnumerateArray().Select(t => t.GetString())
                    : [o.GetProperty("text").GetString()]));
            Assert.AreEqual(Normalize(stored), Normalize(run.Cells[i].StandardOutput),
                $"{name}: cell {run.Cells[i].CellNumber}'s stored output is out of date; run `mlnetext notebook run {name} --update-outputs`");
        }
    }

    // Line endings aside, and the evaluator table's last column (seconds, which vary from run to run).
    private static string Normalize(string text) =>
        TableSeconds().Replace(text.Replace("\r\n", "\n", StringComparison.Ordinal), "| (seconds) |").TrimEnd();

    [GeneratedRegex(@"\| [0-9.]+ \|$", RegexOptions.Multiline)]
    private static partial Regex TableSeconds();

    private static double Number(string output, string pattern)
    {
        Match match = Regex.Match(output, pattern);
        Assert.IsTrue(match.Success, $"'{pattern}' in:\n{output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [TestMethod]
    public async Task QuickStartEncodesComparesAndDrawsTheHeatMap()
    {
        NotebookRunResult run = await RunAsync("quick-start.ipynb");
        string output = run.Output;
        StringAssert.Contains(output, "6 sentences, 384 dimensions, model all-MiniLM-L6-v2");
        // The sentences come in pairs about the same thing; each one's closest neighbour is its partner.
        string[] pairs = ["A man is playing a guitar.", "Someone is strumming a guitar on stage.", "The new movie is awesome.",
            "The film got great reviews from critics.", "A woman is slicing an onion.", "Onions are being chopped in the kitchen."];
        for (int i = 0; i < pairs.Length; i++)
        {
            string partner = pairs[i ^ 1];
            double similarity = Number(output, Regex.Escape(pairs[i]) + @"\s+closest: " + Regex.Escape(partner) + @" \(([0-9.]+)\)");
            Assert.IsGreaterThan(0.4, similarity, pairs[i]);
        }
        Assert.IsTrue(run.Cells.Any(c => c.DisplayedFormats.Contains("text/html")), "the heat map is displayed");
        StringAssert.Contains(File.ReadAllText(NotebookPath("quick-start.ipynb")), "data:image/png;base64,", "the stored notebook shows the heat map");
        AssertOutputsStored("quick-start.ipynb", run);
        AssertStoredOutputsAreCurrent("quick-start.ipynb", run);
    }

    [TestMethod]
    public async Task SemanticSearchScoresDenseAndBm25OnTheSciFactSlice()
    {
        SharedData.Require("scifact");
        NotebookRunResult run = await RunAsync("semantic-search.ipynb");
        string output = run.Output;
        StringAssert.Contains(output, "60 abstracts");
        double dense = Number(output, @"all-MiniLM-L6-v2: ndcg@10 ([0-9.]+)");
        double bm25 = Number(output, @"BM25: ndcg@10 ([0-9.]+)");
        // The slice has few distractors: both systems score far above chance (about 0.01), near each other.
        Assert.IsGreaterThan(0.6, dense, output);
        Assert.IsGreaterThan(0.6, bm25, output);
        Assert.IsGreaterThan(0.9, Number(output, @"all-MiniLM-L6-v2: ndcg@10 [0-9.]+, recall@100 ([0-9.]+)"), output);
        StringAssert.Contains(output, "| all-MiniLM-L6-v2 |");
        Assert.IsTrue(run.Cells.Any(c => c.DisplayedFormats.Contains("text/html")), "the recall curve is displayed");
        StringAssert.Contains(File.ReadAllText(NotebookPath("semantic-search.ipynb")), "data:image/png;base64,", "the stored notebook shows the curve");
        AssertOutputsStored("semantic-search.ipynb", run);
        AssertStoredOutputsAreCurrent("semantic-search.ipynb", run);
    }

    [TestMethod]
    public async Task FineTuningTrainsEvaluatesSavesAndLoads()
    {
        SharedData.Require("sst2");
        NotebookRunResult run = await RunAsync("fine-tune-sst2.ipynb");
        string output = run.Output;
        StringAssert.Contains(output, "train: 64 rows, dev: 64 rows");
        StringAssert.Contains(output, "4 training steps", "64 rows in batches of 16, one epoch");
        double accuracy = Number(output, @"SST-2 dev \(64 rows\): accuracy ([0-9.]+)");
        Assert.IsTrue(accuracy is >= 0 and <= 1, output);
        StringAssert.Contains(output, "loaded model agrees on 64 of 64 dev rows");
        Assert.AreEqual(2, Regex.Matches(output, @"-> [01] \(p = [0-9.]+\)").Count, output);
        AssertOutputsStored("fine-tune-sst2.ipynb", run);
    }

    [TestMethod]
    public async Task AutoMlSweepRunsItsTrialsAndShowsTheLeaderboard()
    {
        SharedData.Require("sst2");
        NotebookRunResult run = await RunAsync("automl-sweep.ipynb");
        string output = run.Output;
        MatchCollection rows = Regex.Matches(output, @"^\d\. trial \d+  accuracy ([0-9.]+)", RegexOptions.Multiline);
        Assert.HasCount(4, rows, output);
        double best = Number(output, @"best: trial \d+, accuracy ([0-9.]+)");
        Assert.AreEqual(rows.Max(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)), best, 1e-9, output);
        Assert.IsGreaterThan(0.5, best, output);
        Assert.IsTrue(run.Cells.Any(c => c.DisplayedFormats.Contains("text/html")), "the trial plot is displayed");
        AssertOutputsStored("automl-sweep.ipynb", run);
    }

    [TestMethod]
    public async Task AFailingCellIsNamedWithItsNotebookNumberAndMessage()
    {
        using var files = new TempFiles();
        string path = WriteNotebook(files, "broken.ipynb", "# A notebook", "int answer = 42;", "Console.WriteLine(answr);", "Console.WriteLine(\"never\");");
        NotebookRunResult result = await NotebookRunner.RunAsync(path);
        Assert.IsFalse(result.Succeeded);
        Assert.AreEqual(3, result.CodeCellCount);
        Assert.HasCount(2, result.Cells, "the run stops at the failed cell");
        StringAssert.Contains(result.FailureMessage, "broken.ipynb, cell 3:");
        StringAssert.Contains(result.FailureMessage, "CS0103");
        StringAssert.Contains(result.FailureMessage, "answr");

        string throwing = WriteNotebook(files, "throws.ipynb", "throw new InvalidOperationException(\"the data is gone\");");
        NotebookRunResult thrown = await NotebookRunner.RunAsync(throwing);
        StringAssert.Contains(thrown.FailureMessage, "throws.ipynb, cell 1:");
        StringAssert.Contains(thrown.FailureMessage, "the data is gone");

        string nuget = WriteNotebook(files, "nuget.ipynb", "#r \"nuget: Newtonsoft.Json\"");
        StringAssert.Contains((await NotebookRunner.RunAsync(nuget)).FailureMessage, "NuGet references need the network");
    }

    [TestMethod]
    public void TheCliRunsANotebookAndStoresItsOutputs()
    {
        using var files = new TempFiles();
        string path = WriteNotebook(files, "tiny.ipynb", "var x = 6 * 7;", "Console.WriteLine($\"x = {x}\");");
        CliResult run = CliRunner.RunCaptured("notebook", "run", path, "--update-outputs");
        Assert.AreEqual(0, run.Code, run.Error);
        StringAssert.Contains(run.Output, "x = 42");
        StringAssert.Contains(run.Output, "2 cells ran");
        StringAssert.Contains(File.ReadAllText(path), "x = 42", "the output is stored in the notebook");

        string broken = WriteNotebook(files, "broken.ipynb", "Console.WriteLine(y);");
        CliResult failed = CliRunner.RunCaptured("notebook", "run", broken);
        Assert.AreEqual(1, failed.Code);
        StringAssert.Contains(failed.Error, "broken.ipynb, cell 1:");
        StringAssert.Contains(failed.Error, "CS0103");
        Assert.AreEqual(2, CliRunner.RunCaptured("notebook", "run", Path.Combine(files.Folder, "missing.ipynb")).Code);
    }

    // A notebook of C# cells; a cell starting with "# " is markdown.
    private static string WriteNotebook(TempFiles files, string name, params string[] cells)
    {
        var document = new
        {
            cells = cells.Select(c => c.StartsWith("# ", StringComparison.Ordinal)
                ? (object)new { cell_type = "markdown", metadata = new { }, source = new[] { c } }
                : new
                {
                    cell_type = "code",
                    execution_count = (int?)null,
                    metadata = new { polyglot_notebook = new { kernelName = "csharp" } },
                    outputs = Array.Empty<object>(),
                    source = new[] { c },
                }).ToArray(),
            metadata = new { polyglot_notebook = new { kernelInfo = new { defaultKernelName = "csharp" } } },
            nbformat = 4,
            nbformat_minor = 5,
        };
        return files.Write(name, JsonSerializer.Serialize(document));
    }
}
