using System.Reflection;
using System.Text;
using Microsoft.ML;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Transforms;

namespace MLNetExt.Cli.Commands.Auto;

/// <summary>
/// Writes a small C# console project that loads the swept model and predicts (Model Builder's "consume" project):
/// <c>dotnet run -- "some text"</c> predicts one row, <c>dotnet run -- --evaluate dev.tsv</c> scores a file and
/// prints the metric, so the sweep's number can be reproduced outside the CLI.
/// </summary>
/// <remarks>
/// The project references the ML.NET packages at the versions this tool was built with (the repository's
/// Directory.Packages.props), and carries its own Directory.Build.props / .targets / Directory.Packages.props so a
/// repository it is written into does not impose central package management on it.
/// </remarks>
internal static class AutoConsumptionProject
{
    public const string FolderName = "ModelConsumption";

    /// <summary>Writes the project into <c>outDir/ModelConsumption</c>; returns its folder.</summary>
    public static string Write(string outDir, string modelPath, SweepTask task, IReadOnlyList<string> textColumns, string labelColumn,
        string pipelineDescription, string trainerName, bool holdsEncoder, IReadOnlyList<string> sampleText, bool fineTuned = false)
    {
        string folder = Path.Combine(outDir, FolderName);
        Directory.CreateDirectory(folder);
        File.Copy(modelPath, Path.Combine(folder, "model.zip"), overwrite: true);
        AutoFiles.WriteAllTextAtomic(Path.Combine(folder, "Directory.Build.props"), "<Project />\n");
        AutoFiles.WriteAllTextAtomic(Path.Combine(folder, "Directory.Build.targets"), "<Project />\n");
        AutoFiles.WriteAllTextAtomic(Path.Combine(folder, "Directory.Packages.props"), "<Project />\n");
        AutoFiles.WriteAllTextAtomic(Path.Combine(folder, FolderName + ".csproj"), Csproj(trainerName, holdsEncoder || fineTuned));
        AutoFiles.WriteAllTextAtomic(Path.Combine(folder, "Program.cs"), Program(task, textColumns, labelColumn, pipelineDescription, holdsEncoder, fineTuned, sampleText));
        return folder;
    }

    // The package version a type was built from, as its assembly's informational version says ("5.0.1+commit").
    private static string PackageVersion(Type type)
    {
        string? version = type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return version?.Split('+')[0] ?? throw new InvalidOperationException($"Cannot tell which version of {type.Assembly.GetName().Name} this tool uses.");
    }

    // The MLNetExt assemblies a model with an encoder needs, referenced where this tool runs from.
    private static readonly string[] MLNetExtAssemblies = ["MLNetExt.Evaluation", "MLNetExt.Transforms", "MLNetExt.Trainers", "MLNetExt.Estimators"];

    private static string Csproj(string trainerName, bool holdsEncoder)
    {
        string version = PackageVersion(typeof(MLContext));
        var packages = new List<(string Id, string Version)> { ("Microsoft.ML", version) };
        if (trainerName == "fasttree")
            packages.Add(("Microsoft.ML.FastTree", version));
        if (trainerName == "lightgbm")
            packages.Add(("Microsoft.ML.LightGbm", version));
        if (holdsEncoder)
        {
            packages.Add(("Microsoft.ML.OnnxRuntime", PackageVersion(typeof(Microsoft.ML.OnnxRuntime.InferenceSession))));
            packages.Add(("Microsoft.ML.Tokenizers", PackageVersion(typeof(Microsoft.ML.Tokenizers.BertTokenizer))));
        }
        var sb = new StringBuilder();
        sb.AppendLine("<Project Sdk=\"Microsoft.NET.Sdk\">");
        sb.AppendLine("  <PropertyGroup>");
        sb.AppendLine("    <OutputType>Exe</OutputType>");
        sb.AppendLine("    <TargetFramework>net10.0</TargetFramework>");
        sb.AppendLine("    <Nullable>enable</Nullable>");
        sb.AppendLine("    <ImplicitUsings>enable</ImplicitUsings>");
        sb.AppendLine("    <PlatformTarget>x64</PlatformTarget>");
        sb.AppendLine("  </PropertyGroup>");
        sb.AppendLine("  <ItemGroup>");
        foreach (var (id, packageVersion) in packages)
            sb.AppendLine($"    <PackageReference Include=\"{id}\" Version=\"{packageVersion}\" />");
        if (holdsEncoder)
        {
            string folder = Path.GetDirectoryName(typeof(TextEncoderTransformer).Assembly.Location)!;
            foreach (string name in MLNetExtAssemblies.Where(n => File.Exists(Path.Combine(folder, n + ".dll"))))
            {
                sb.AppendLine($"    <Reference Include=\"{name}\">");
                sb.AppendLine($"      <HintPath>{Path.Combine(folder, name + ".dll")}</HintPath>");
                sb.AppendLine("    </Reference>");
            }
        }
        sb.AppendLine("  </ItemGroup>");
        sb.AppendLine("  <ItemGroup>");
        sb.AppendLine("    <None Include=\"model.zip\" CopyToOutputDirectory=\"PreserveNewest\" />");
        sb.AppendLine("  </ItemGroup>");
        sb.AppendLine("</Project>");
        return sb.ToString();
    }

    private static string Program(SweepTask task, IReadOnlyList<string> textColumns, string labelColumn, string pipeline, bool holdsEncoder, bool fineTuned,
        IReadOnlyList<string> sampleText)
    {
        bool classify = task == SweepTask.Classification;
        string[] props = textColumns.Select(Identifier).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine("using System.Globalization;");
        sb.AppendLine("using Microsoft.ML;");
        sb.AppendLine("using Microsoft.ML.Data;");
        if (holdsEncoder)
            sb.AppendLine("using MLNetExt;");
        sb.AppendLine();
        sb.AppendLine($"// Generated by `mlnetext auto {(classify ? "classify" : "regress")}`. Best pipeline: {pipeline}");
        sb.AppendLine("// Usage: dotnet run -- " + string.Join(" ", textColumns.Select(c => $"\"<{c}>\"")) + "    predicts one row");
        sb.AppendLine($"//        dotnet run -- --evaluate FILE.tsv    scores a tab-separated file with a header holding '{labelColumn}' and the text columns");
        sb.AppendLine();
        sb.AppendLine("var ml = new MLContext(seed: 0);");
        if (fineTuned)
        {
            sb.AppendLine("// The model holds a fine-tuned encoder: a sweep model file (the fine-tuned ONNX graph and vocabulary inside).");
            sb.AppendLine("ITransformer model = MLNetExt.Estimators.Experiments.SweepModelFile.Load(ml, Path.Combine(AppContext.BaseDirectory, \"model.zip\"));");
        }
        else if (holdsEncoder)
        {
            sb.AppendLine("// The model holds a text encoder: it is an MLNetExt pipeline file (ONNX graph and vocabulary inside).");
            sb.AppendLine("ml.ComponentCatalog.RegisterAssembly(typeof(MLNetExt.Estimators.Pipelines.PairSimilarityFactory).Assembly);");
            sb.AppendLine("ITransformer model = ml.Model.LoadWithEncoders(Path.Combine(AppContext.BaseDirectory, \"model.zip\"), out _);");
        }
        else
        {
            sb.AppendLine("ITransformer model = ml.Model.Load(Path.Combine(AppContext.BaseDirectory, \"model.zip\"), out _);");
        }
        sb.AppendLine("var engine = ml.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);");
        sb.AppendLine();
        sb.AppendLine("if (args.Length == 2 && args[0] == \"--evaluate\")");
        sb.AppendLine("{");
        sb.AppendLine("    string[] lines = File.ReadAllLines(args[1]);");
        sb.AppendLine("    string[] header = lines[0].TrimStart('\\uFEFF').Split('\\t');");
        sb.AppendLine($"    int label = Array.IndexOf(header, {Literal(labelColumn)});");
        for (int i = 0; i < props.Length; i++)
            sb.AppendLine($"    int text{i} = Array.IndexOf(header, {Literal(textColumns[i])});");
        sb.AppendLine($"    if (label < 0{string.Concat(props.Select((_, i) => $" || text{i} < 0"))})");
        sb.AppendLine($"        throw new InvalidDataException($\"{{args[1]}}: line 1: expected the columns {string.Join(", ", new[] { labelColumn }.Concat(textColumns))}; got {{string.Join(\", \", header)}}.\");");
        sb.AppendLine("    var truth = new List<string>();");
        sb.AppendLine("    var inputs = new List<ModelInput>();");
        sb.AppendLine("    foreach (string line in lines.Skip(1).Where(l => l.Length > 0))");
        sb.AppendLine("    {");
        sb.AppendLine("        string[] fields = line.Split('\\t');");
        sb.AppendLine("        truth.Add(fields[label]);");
        string init = string.Join(", ", props.Select((p, i) => $"{p} = fields[text{i}]"));
        sb.AppendLine($"        inputs.Add(new ModelInput {{ {init} }});");
        sb.AppendLine("    }");
        sb.AppendLine("    // One Transform over all rows: the pipeline batches (the prediction engine goes row by row).");
        sb.AppendLine("    IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(inputs));");
        sb.AppendLine("    var outputs = ml.Data.CreateEnumerable<ModelOutput>(scored, reuseRowObject: false).ToList();");
        sb.AppendLine(classify ? "    var predicted = outputs.Select(o => o.PredictedLabel).ToList();" : "    var predicted = outputs.Select(o => o.Score).ToList();");
        if (classify)
        {
            sb.AppendLine("    double accuracy = truth.Zip(predicted).Count(p => p.First == p.Second) / (double)truth.Count;");
            sb.AppendLine("    Console.WriteLine($\"accuracy {accuracy.ToString(\"F4\", CultureInfo.InvariantCulture)} on {truth.Count} rows\");");
        }
        else
        {
            sb.AppendLine("    double[] y = truth.Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();");
            sb.AppendLine("    double[] s = predicted.Select(p => (double)p).ToArray();");
            sb.AppendLine("    double rmse = Math.Sqrt(y.Zip(s).Average(p => (p.First - p.Second) * (p.First - p.Second)));");
            sb.AppendLine("    Console.WriteLine(FormattableString.Invariant($\"pearson {Pearson(y, s):F4} spearman {Pearson(Ranks(y), Ranks(s)):F4} rmse {rmse:F4} on {y.Length} rows\"));");
        }
        sb.AppendLine("    return 0;");
        sb.AppendLine("}");
        sb.AppendLine();
        string sampleInit = string.Join(", ", props.Select((p, i) => $"{p} = args.Length > {i} ? args[{i}] : {Literal(sampleText.ElementAtOrDefault(i) ?? "")}"));
        sb.AppendLine($"var input = new ModelInput {{ {sampleInit} }};");
        sb.AppendLine("ModelOutput result = engine.Predict(input);");
        sb.AppendLine(classify
            ? "Console.WriteLine($\"PredictedLabel: {result.PredictedLabel}\");"
            : "Console.WriteLine(FormattableString.Invariant($\"Score: {result.Score:F4}\"));");
        sb.AppendLine("return 0;");
        sb.AppendLine();
        if (!classify)
        {
            sb.AppendLine("static double Pearson(double[] x, double[] y)");
            sb.AppendLine("{");
            sb.AppendLine("    double mx = x.Average(), my = y.Average();");
            sb.AppendLine("    double sxy = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my));");
            sb.AppendLine("    return sxy / Math.Sqrt(x.Sum(v => (v - mx) * (v - mx)) * y.Sum(v => (v - my) * (v - my)));");
            sb.AppendLine("}");
            sb.AppendLine();
            sb.AppendLine("// Ranks from 1, ties sharing their average rank.");
            sb.AppendLine("static double[] Ranks(double[] v)");
            sb.AppendLine("{");
            sb.AppendLine("    int[] order = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray();");
            sb.AppendLine("    var ranks = new double[v.Length];");
            sb.AppendLine("    for (int a = 0, b; a < order.Length; a = b + 1)");
            sb.AppendLine("    {");
            sb.AppendLine("        for (b = a; b + 1 < order.Length && v[order[b + 1]] == v[order[a]]; b++) { }");
            sb.AppendLine("        for (int k = a; k <= b; k++) ranks[order[k]] = (a + b) / 2.0 + 1;");
            sb.AppendLine("    }");
            sb.AppendLine("    return ranks;");
            sb.AppendLine("}");
            sb.AppendLine();
        }
        sb.AppendLine("/// <summary>One row of input: the text columns the model reads.</summary>");
        sb.AppendLine("public sealed class ModelInput");
        sb.AppendLine("{");
        for (int i = 0; i < props.Length; i++)
        {
            sb.AppendLine($"    [ColumnName({Literal(textColumns[i])})]");
            sb.AppendLine($"    public string {props[i]} {{ get; set; }} = \"\";");
        }
        sb.AppendLine("}");
        sb.AppendLine();
        sb.AppendLine("/// <summary>The model's prediction.</summary>");
        sb.AppendLine("public sealed class ModelOutput");
        sb.AppendLine("{");
        if (classify)
        {
            sb.AppendLine("    public string PredictedLabel { get; set; } = \"\";");
            sb.AppendLine("    public float[] Score { get; set; } = [];");
        }
        else
        {
            sb.AppendLine("    public float Score { get; set; }");
        }
        sb.AppendLine("}");
        return sb.ToString();
    }

    private static string Identifier(string column)
    {
        var sb = new StringBuilder();
        bool upper = true;
        foreach (char c in column)
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
            else
            {
                upper = true;
            }
        }
        if (sb.Length == 0 || char.IsDigit(sb[0]))
            sb.Insert(0, "Column");
        string name = sb.ToString();
        return name is "ModelInput" or "ModelOutput" ? name + "Text" : name;
    }

    private static string Literal(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
