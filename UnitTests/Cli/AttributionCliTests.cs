using System.Text.Json;
using AngleSharp;
using AngleSharp.Dom;
using Microsoft.ML;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Trainers.Attribution;
using MLNetExt.UnitTests.Evaluation;
using MLNetExt.UnitTests.Infrastructure;
using SkiaSharp;

namespace MLNetExt.UnitTests.Cli;

/// <summary><c>mlnetext explain</c> and <c>mlnetext eval faithfulness</c> on a FeaturizeText + SDCA model of 300 SST-2 rows.</summary>
[TestClass]
public sealed class AttributionCliTests
{
    private static TempFiles _files = null!;
    private static string _model = "";

    private sealed class Row
    {
        public string Sentence { get; set; } = "";
    }

    [ClassInitialize]
    public static void SaveStockModel(TestContext context)
    {
        _files = new TempFiles();
        var ml = new MLContext(1);
        var train = GlueReader.Read(GlueTask.FromName("sst2"), SharedData.RequireFile("sst2", "train.tsv")).Take(300).ToArray();
        ITransformer model = StockTextClassifier.Train(ml, train.Select(e => (e.Sentence1, e.LabelIndex)).ToArray(), 2);
        _model = Path.Combine(_files.Folder, "sdca.zip");
        ml.Model.Save(model, ml.Data.LoadFromEnumerable(Array.Empty<Row>()).Schema, _model);
    }

    [ClassCleanup]
    public static void Cleanup() => _files.Dispose();

    [TestMethod]
    public void ExplainWritesHtmlAndPngForOneText()
    {
        string html = Path.Combine(_files.Folder, "one.html"), png = Path.Combine(_files.Folder, "one.png");
        CliResult result = CliRunner.RunCaptured("explain", "--model", _model, "--text", "a great , moving film", "--method", "shap",
            "--shap-samples", "16", "--html", html, "--png", png);
        Assert.AreEqual(0, result.Code, result.Error);
        StringAssert.Contains(result.Output, "kernel-shap:"); // the console may wrap lines between words
        StringAssert.Contains(result.Output, "great(");
        IDocument document = BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content(File.ReadAllText(html))).GetAwaiter().GetResult();
        CollectionAssert.AreEqual(new[] { "a", "great", ",", "moving", "film" }, document.QuerySelectorAll("span.word").Select(s => s.TextContent).ToArray());
        Assert.IsTrue(document.QuerySelectorAll("span.word").All(s => s.GetAttribute("style")!.StartsWith("background-color:#", StringComparison.Ordinal)));
        using SKBitmap bitmap = SKBitmap.Decode(File.ReadAllBytes(png));
        Assert.IsNotNull(bitmap, "a readable PNG");
    }

    [TestMethod]
    public void ExplainReadsATsvFileAndRefusesBadInput()
    {
        string data = _files.Write("texts.tsv", "sentence\tlabel", "a dull film\t0", "wonderful acting\t1", "an ok plot\t1");
        string html = Path.Combine(_files.Folder, "file.html");
        CliResult result = CliRunner.RunCaptured("explain", "--model", _model, "--data", data, "--max-rows", "2", "--html", html);
        Assert.AreEqual(0, result.Code, result.Error);
        StringAssert.Contains(result.Output, "occlusion:");
        StringAssert.Contains(File.ReadAllText(html), ">wonderful</span>");

        CliResult both = CliRunner.RunCaptured("explain", "--model", _model, "--data", data, "--text", "x");
        Assert.AreEqual(2, both.Code);
        StringAssert.Contains(both.Error, "exactly one of --text and --data");
        CliResult unknown = CliRunner.RunCaptured("explain", "--model", _model, "--text", "x", "--method", "lime");
        Assert.AreEqual(2, unknown.Code);
        StringAssert.Contains(unknown.Error, "'lime'");
        CliResult gradients = CliRunner.RunCaptured("explain", "--model", _model, "--text", "x y", "--method", "ig");
        Assert.AreEqual(2, gradients.Code, "integrated gradients need a fine-tuned encoder");
        StringAssert.Contains(gradients.Error, "fine-tuned encoder");
        CliResult parallel = CliRunner.RunCaptured("explain", "--model", _model, "--data", data, "--parallel", "3", "--method", "shap", "--shap-samples", "16");
        CliResult sequential = CliRunner.RunCaptured("explain", "--model", _model, "--data", data, "--parallel", "1", "--method", "shap", "--shap-samples", "16");
        Assert.AreEqual(0, parallel.Code, parallel.Error);
        Assert.AreEqual(sequential.Output[sequential.Output.IndexOf('[')..], parallel.Output[parallel.Output.IndexOf('[')..], "the same scores, in order");
        CliResult grouped = CliRunner.RunCaptured("explain", "--model", _model, "--data", data, "--parallel", "2", "--texts-per-pass", "2", "--method", "shap",
            "--shap-samples", "16", "--time-plain");
        Assert.AreEqual(0, grouped.Code, grouped.Error);
        Assert.AreEqual(sequential.Output[sequential.Output.IndexOf('[')..], grouped.Output[grouped.Output.IndexOf('[')..], "texts scored together: the same scores");
        StringAssert.Matches(grouped.Output, new System.Text.RegularExpressions.Regex(@"plain\s+scoring\s+of\s+the\s+same\s+3\s+texts"));
        CliResult noGroup = CliRunner.RunCaptured("explain", "--model", _model, "--text", "x", "--texts-per-pass", "0");
        Assert.AreEqual(2, noGroup.Code);
        StringAssert.Contains(noGroup.Error, "--texts-per-pass must be at least 1, got 0");
        CliResult noParallel = CliRunner.RunCaptured("explain", "--model", _model, "--text", "x", "--parallel", "0");
        Assert.AreEqual(2, noParallel.Code);
        StringAssert.Contains(noParallel.Error, "--parallel must be at least 1, got 0");
        CliResult int8 = CliRunner.RunCaptured("explain", "--model", _model, "--text", "x y", "--int8");
        Assert.AreEqual(2, int8.Code, "int8 serving is for fine-tuned encoders");
        StringAssert.Contains(int8.Error, "fine-tuned");
        CliResult column = CliRunner.RunCaptured("explain", "--model", _model, "--data", data, "--column", "review");
        Assert.AreEqual(2, column.Code);
        StringAssert.Contains(column.Error, "no column 'review'");
    }

    [TestMethod]
    public void ExplainWritesAttributionsAsJsonAndComparesTwoRuns()
    {
        string data = _files.Write("compare.tsv", "sentence\tlabel", "a dull , lifeless film\t0", "wonderful acting and a moving story\t1");
        string json = Path.Combine(_files.Folder, "occlusion.json");
        CliResult first = CliRunner.RunCaptured("explain", "--model", _model, "--data", data, "--json", json);
        Assert.AreEqual(0, first.Code, first.Error);
        IReadOnlyList<MLNetExt.Transforms.Attribution.TextAttribution> saved = MLNetExt.Evaluation.Reports.AttributionJsonFile.Load(json);
        Assert.HasCount(2, saved);
        CollectionAssert.AreEqual(new[] { "a", "dull", ",", "lifeless", "film" }, saved[0].Words);
        Assert.AreEqual("occlusion", saved[0].Method);

        CliResult again = CliRunner.RunCaptured("explain", "--model", _model, "--data", data, "--compare-with", json);
        Assert.AreEqual(0, again.Code, again.Error);
        StringAssert.Matches(again.Output, new System.Text.RegularExpressions.Regex(@"mean\s+Spearman\s+1\.0000\s+over\s+2\s+texts"), "the same method twice agrees fully");
        CliResult other = CliRunner.RunCaptured("explain", "--model", _model, "--text", "a dull film", "--compare-with", json);
        Assert.AreEqual(2, other.Code);
        StringAssert.Contains(other.Error, "compare runs over the same texts");
        string broken = _files.Write("broken.json", "{\"FormatVersion\": 1, \"Attributions\": [{\"Words\": [\"a\"], \"Scores\": []}]}");
        CliResult bad = CliRunner.RunCaptured("explain", "--model", _model, "--data", data, "--compare-with", broken);
        Assert.AreEqual(2, bad.Code);
        StringAssert.Contains(bad.Error, "attribution 0: expected as many scores as words, got 0 scores for 1 words");
    }

    [TestMethod]
    public void EvalFaithfulnessWritesEveryMethodsAopcToJson()
    {
        string json = Path.Combine(_files.Folder, "faithfulness.json");
        CliResult result = CliRunner.RunCaptured("eval", "faithfulness", "--model", _model, "--data", SharedData.RequireFile("sst2", "dev.tsv"),
            "--max-rows", "4", "--methods", "occlusion,shap,random", "--shap-samples", "16", "--json", json);
        Assert.AreEqual(0, result.Code, result.Error);
        StringAssert.Contains(result.Output, "SST-2");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement[] methods = document.RootElement.GetProperty("Methods").EnumerateArray().ToArray();
        CollectionAssert.AreEqual(new[] { "occlusion", "kernel-shap", "random" }, methods.Select(m => m.GetProperty("Method").GetString()).ToArray());
        Assert.IsTrue(methods.All(m => m.GetProperty("Texts").GetInt32() == 4));
        Assert.AreEqual(5, methods[0].GetProperty("Comprehensiveness").GetArrayLength(), "ERASER's five levels");
        Assert.AreEqual(4, document.RootElement.GetProperty("Rows").GetInt32());
    }
}
