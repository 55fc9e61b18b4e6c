using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;
using MLNetExt.UnitTests.Transforms;

namespace MLNetExt.UnitTests.Foundation;

/// <summary>
/// The layers point one way (Transforms &lt;- Evaluation &lt;- Trainers &lt;- Estimators &lt;- apps), and a user of
/// EncodeText gets ONNX Runtime and ML.NET only: no libtorch, Lucene.Net, ScottPlot or SkiaSharp.
/// </summary>
[TestClass]
public sealed class LayeringTests
{
    // Lower rank = lower layer. A project may reference only projects of a strictly lower rank.
    private static readonly Dictionary<string, int> s_rank = new(StringComparer.Ordinal)
    {
        ["MLNetExt.Transforms"] = 0,
        ["MLNetExt.AI"] = 1, // Microsoft.Extensions.AI / VectorData adapters, on Transforms only
        ["MLNetExt.Evaluation"] = 1,
        ["MLNetExt.Trainers"] = 2,
        ["MLNetExt.Estimators"] = 3,
        ["MLNetExt.Notebooks"] = 3, // runs .ipynb files in a C# kernel for the CLI and the tests; not shipped
        ["MLNetExt.Benchmarks.Runners"] = 3, // the encode and training-step benchmarks' runners, on Transforms and Trainers; not shipped
        ["mlnetext"] = 4,
        ["MLNetExt.Samples"] = 4,
        ["MLNetExt.Benchmarks"] = 4,
        ["EncodeTextProbe"] = 4,
        ["MLNetExt.UnitTests"] = 5,
    };

    // Packages (and their transitive closure) that the base layer must never bring to a user.
    private static readonly string[] s_heavyPackages = ["TorchSharp", "libtorch", "Lucene.Net", "ScottPlot", "SkiaSharp"];

    [TestMethod]
    public void ProjectsReferenceOnlyLowerLayers()
    {
        string root = RepositoryRoot();
        string[] projects = Directory.GetFiles(root, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToArray();
        CollectionAssert.AreEquivalent(s_rank.Keys.ToArray(), projects.Select(Path.GetFileNameWithoutExtension).ToArray(),
            "every project has a layer in this test, and every layer a project");

        var violations = new List<string>();
        foreach (string project in projects)
        {
            string name = Path.GetFileNameWithoutExtension(project);
            foreach (XElement reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                string target = Path.GetFileNameWithoutExtension(reference.Attribute("Include")!.Value);
                if (s_rank[target] >= s_rank[name])
                    violations.Add($"{name} (layer {s_rank[name]}) references {target} (layer {s_rank[target]})");
            }
        }
        Assert.AreEqual(0, violations.Count, string.Join("; ", violations));
    }

    [TestMethod]
    public void TheTransformsPackageBringsNoTrainingSearchOrPlottingPackages()
    {
        string assets = Path.Combine(RepositoryRoot(), "Transforms", "obj", "project.assets.json");
        if (!File.Exists(assets))
            Assert.Inconclusive($"{assets} is missing: restore the solution first.");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(assets));
        string[] libraries = document.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.IsTrue(libraries.Any(l => l.StartsWith("Microsoft.ML.OnnxRuntime/", StringComparison.OrdinalIgnoreCase)),
            "the restore graph was read (ONNX Runtime is in it)");
        string[] heavy = libraries.Where(l => s_heavyPackages.Any(h => l.StartsWith(h, StringComparison.OrdinalIgnoreCase))).ToArray();
        Assert.AreEqual(0, heavy.Length, $"MLNetExt.Transforms depends on: {string.Join(", ", heavy)}");
    }

    [TestMethod]
    public void EncodeTextFitTransformSaveLoadLoadsNoTrainingSearchOrPlottingLibrary()
    {
        string probeFolder = ProbeOutputFolder();
        string probe = Path.Combine(probeFolder, "EncodeTextProbe.dll");
        Assert.IsTrue(File.Exists(probe), $"the probe was built with the tests: {probe}");
        string[] shipped = Directory.GetFiles(probeFolder, "*", SearchOption.AllDirectories)
            .Where(f => s_heavyPackages.Any(h => Path.GetFileName(f).Contains(h, StringComparison.OrdinalIgnoreCase))
                        || Path.GetFileName(f).Contains("torch", StringComparison.OrdinalIgnoreCase))
            .ToArray();
        Assert.AreEqual(0, shipped.Length, $"an EncodeText-only app ships: {string.Join(", ", shipped)}");

        using var work = new TempFolder();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { probe, EncoderTestModels.Options.CacheDirectory!, work.Path })
            start.ArgumentList.Add(arg);
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(5)), "the probe finished");
        Assert.AreEqual(0, process.ExitCode, $"probe failed: {output}\n{error.Result}");
        StringAssert.Contains(output, "identical after load: True");

        string[] loaded = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("assembly: ", StringComparison.Ordinal) || l.StartsWith("native: ", StringComparison.Ordinal))
            .ToArray();
        Assert.IsTrue(loaded.Contains("assembly: MLNetExt.Transforms"), "the probe lists what it loaded");
        Assert.IsTrue(loaded.Any(l => l.Contains("onnxruntime", StringComparison.OrdinalIgnoreCase)), "ONNX Runtime ran in the probe");
        string[] heavy = loaded.Where(l => s_heavyPackages.Any(h => l.Contains(h, StringComparison.OrdinalIgnoreCase))
                                           || l.Contains("torch", StringComparison.OrdinalIgnoreCase)
                                           || l.Contains("MLNetExt.Evaluation", StringComparison.Ordinal)
                                           || l.Contains("MLNetExt.Trainers", StringComparison.Ordinal)).ToArray();
        Assert.AreEqual(0, heavy.Length, $"EncodeText loaded: {string.Join(", ", heavy)}");
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MLNetExt.sln")))
                return folder.FullName;
        }
        throw new DirectoryNotFoundException($"No MLNetExt.sln above {AppContext.BaseDirectory}.");
    }

    // The tests run from UnitTests/bin/<configuration>/<framework>/; the probe builds to the same place under its folder.
    private static string ProbeOutputFolder()
    {
        string testsProject = Path.Combine(RepositoryRoot(), "UnitTests");
        string relative = Path.GetRelativePath(testsProject, AppContext.BaseDirectory);
        return Path.Combine(testsProject, "Probes", "EncodeTextProbe", relative);
    }
}
