using MLNetExt.Cli;
using MLNetExt.UnitTests.Evaluation;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Cli;

/// <summary>
/// The command line's one error policy (exit 0 success, 1 failure of the work, 2 bad usage or input; errors on standard
/// error) and the bad-input defects of the CLI-defects issue, each through the in-process runner.
/// </summary>
[TestClass]
public sealed class CliErrorPolicyTests
{
    private static void AssertBadInput(CliResult result, params string[] expected)
    {
        Assert.AreEqual(2, result.Code, $"stdout:\n{result.Output}\nstderr:\n{result.Error}");
        StringAssert.StartsWith(result.Error, "error: ");
        foreach (string text in expected)
            StringAssert.Contains(result.Error, text);
        Assert.DoesNotContain("error", result.Output, "errors belong on standard error");
        Assert.DoesNotContain("(Parameter '", result.Error);
        Assert.DoesNotContain("Actual value was", result.Error);
    }

    [TestMethod]
    public void MissingFileOfAnEvalVerbIsReportedOnStandardErrorWithExitTwo()
    {
        using var tmp = new TempFiles();
        string run = tmp.Write("r.run", "1 Q0 a 1 1.0 x");
        string missing = Path.Combine(tmp.Folder, "missing.qrels");
        AssertBadInput(CliRunner.RunCaptured("eval", "trec", "--qrels", missing, "--run", run), missing);
    }

    [TestMethod]
    public void MalformedRunLineIsReportedOnStandardErrorWithFileAndLine()
    {
        using var tmp = new TempFiles();
        string qrels = tmp.Write("q.txt", "1 0 a 1");
        string run = tmp.Write("r.run", "1 Q0 a 1 x x");
        AssertBadInput(CliRunner.RunCaptured("eval", "trec", "--qrels", qrels, "--run", run), run, "line 1");
    }

    [TestMethod]
    public void KeywordOptionsWithoutAKeywordModelAreRefusedNotIgnored()
    {
        using var tmp = new TempFiles();
        string data = WriteBeirFolder(tmp);
        foreach (string[] option in new[] { new[] { "--keyword-mode", "filter" }, ["--keyword-weight", "0.5"], ["--keyword-match", "any"], ["--keyword-types", "person"] })
        {
            CliResult result = CliRunner.RunCaptured(["eval", "beir", "--data", data, "--bm25-only", .. option]);
            Assert.AreEqual(2, result.Code, string.Join(' ', option));
            StringAssert.Contains(result.Error, option[0]);
            StringAssert.Contains(result.Error, "--keyword-model");
        }
    }

    [TestMethod]
    public void VersionPrintsTheToolsVersion()
    {
        CliResult result = CliRunner.RunCaptured("--version");
        Assert.AreEqual(0, result.Code, result.Error);
        StringAssert.Contains(result.Output, Program.Version);
        Assert.IsGreaterThan(0, Program.Version.Length);
    }

    [TestMethod]
    public void Bm25OnlyWritesTheRunSaveRunAsksFor()
    {
        using var tmp = new TempFiles();
        string data = WriteBeirFolder(tmp);
        string runFile = Path.Combine(tmp.Folder, "bm25.run");
        CliResult result = CliRunner.RunCaptured("eval", "beir", "--data", data, "--bm25-only", "--save-run", runFile, "-k", "1,3");
        Assert.AreEqual(0, result.Code, result.Error);
        Assert.IsTrue(File.Exists(runFile), "--save-run with --bm25-only writes BM25's run");
        string[][] lines = File.ReadAllLines(runFile).Select(l => l.Split(' ')).ToArray();
        Assert.IsTrue(lines.Any(f => f[0] == "q1" && f[2] == "d1" && f[3] == "1"), "the cat query ranks the cat document first");
        Assert.IsTrue(lines.All(f => f.Length == 6 && f[1] == "Q0"));
    }

    [TestMethod]
    public void OutWithTheFrozenModeIsRefusedBeforeAnyWork()
    {
        using var tmp = new TempFiles();
        string model = Path.Combine(tmp.Folder, "model");
        CliResult result = CliRunner.RunCaptured("train", "classify", "--task", "sst2", "--data", Path.Combine(tmp.Folder, "no-data"), "--mode", "frozen", "--out", model);
        AssertBadInput(result, "--out", "--mode frozen");
        Assert.IsFalse(Directory.Exists(model));
    }

    [TestMethod]
    public void OutOfTrainClassifyHasHelpText()
    {
        CliResult result = CliRunner.RunCaptured("train", "classify", "--help");
        Assert.AreEqual(0, result.Code, result.Error);
        string line = result.Output.Split('\n').Single(l => l.TrimStart().StartsWith("--out ", StringComparison.Ordinal));
        StringAssert.Contains(line, "fine-tuned model");
    }

    [TestMethod]
    public void EmptyRunOrQrelsIsRefused()
    {
        using var tmp = new TempFiles();
        string qrels = tmp.Write("q.txt", "1 0 a 1");
        string run = tmp.Write("r.run", "1 Q0 a 1 1.0 x");
        string empty = Path.Combine(tmp.Folder, "empty.txt");
        File.WriteAllText(empty, "");
        AssertBadInput(CliRunner.RunCaptured("eval", "trec", "--qrels", qrels, "--run", empty), empty, "no results");
        AssertBadInput(CliRunner.RunCaptured("eval", "trec", "--qrels", empty, "--run", run), empty, "no judgements");
    }

    [TestMethod]
    public void EmptyCorpusIsRefused()
    {
        using var tmp = new TempFiles();
        string data = WriteBeirFolder(tmp);
        File.WriteAllText(Path.Combine(data, "corpus.jsonl"), "");
        AssertBadInput(CliRunner.RunCaptured("eval", "beir", "--data", data, "--bm25-only"), "corpus.jsonl", "no documents");
    }

    [TestMethod]
    public void MissingModelFolderIsSaidToBeMissing()
    {
        using var tmp = new TempFiles();
        string missing = Path.Combine(tmp.Folder, "no", "such", "model");
        CliResult demo = CliRunner.RunCaptured("demo", "-m", missing);
        AssertBadInput(demo, missing, "does not exist");
        Assert.DoesNotContain("pretrained encoder", demo.Error);
        AssertBadInput(CliRunner.RunCaptured("eval", "sts", "--file", tmp.Write("s.tsv", "x"), "--model", missing), missing, "does not exist");
        AssertBadInput(CliRunner.RunCaptured("train", "classify", "--task", "sst2", "--data", tmp.Folder, "--encoder", missing), "--encoder", missing, "does not exist");
    }

    [TestMethod]
    public void BadNumbersNameTheFlag()
    {
        AssertBadInput(CliRunner.RunCaptured("train", "classify", "--task", "sst2", "--data", "d", "--batch-size", "0"), "--batch-size must be at least 1, got 0");
        AssertBadInput(CliRunner.RunCaptured("train", "classify", "--task", "sst2", "--data", "d", "--epochs", "two"), "--epochs", "'two'");
        AssertBadInput(CliRunner.RunCaptured("train", "classify", "--task", "sst2", "--data", "d", "--learning-rate=fast"), "--learning-rate", "'fast'");
        AssertBadInput(CliRunner.RunCaptured("train", "embed", "--data", "d.tsv", "--max-steps", "many"), "--max-steps", "'many'", "a number");
        AssertBadInput(CliRunner.RunCaptured("eval", "sts", "--file", "f.tsv", "--threads", "0"), "--threads must be at least 1, got 0");
        AssertBadInput(CliRunner.RunCaptured("train", "classify", "--task", "sst2", "--data", "d", "--batch-size", "8", "--grad-accumulation", "9"),
            "--grad-accumulation must be between 1 and --batch-size (8), got 9");
        AssertBadInput(CliRunner.RunCaptured("train", "classify", "--task", "sst2", "--data", "d", "--length-buckets", "-1"), "--length-buckets must not be negative, got -1");
        AssertBadInput(CliRunner.RunCaptured("train", "classify", "--task", "sst2", "--data", "d", "--warmup", "1"), "--warmup must be a fraction in [0, 1), got 1");
    }

    [TestMethod]
    public void LibraryArgumentMessagesLoseTheirDotNetSuffixes()
    {
        var outOfRange = new ArgumentOutOfRangeException("BatchSize", 0, "--batch-size must be at least 1.");
        Assert.AreEqual("--batch-size must be at least 1.", MLNetExt.Cli.Infrastructure.ErrorPolicy.Message(outOfRange, []));
        Assert.AreEqual(2, MLNetExt.Cli.Infrastructure.ErrorPolicy.ExitCode(outOfRange));
        Assert.AreEqual(1, MLNetExt.Cli.Infrastructure.ErrorPolicy.ExitCode(new InvalidOperationException("native library failed")));
    }

    [TestMethod]
    public void UnwritableOutputIsFoundBeforeTheWorkAndNamesTheUsersPath()
    {
        using var tmp = new TempFiles();
        string qrels = tmp.Write("q.txt", "1 0 a 1");
        string run = tmp.Write("r.run", "1 Q0 a 1 1.0 x");
        string json = Path.Combine(qrels, "out.json"); // its "folder" is a file
        CliResult trec = CliRunner.RunCaptured("eval", "trec", "--qrels", qrels, "--run", run, "--json", json);
        AssertBadInput(trec, "--json", json, "is a file");
        Assert.DoesNotContain("P_1", trec.Output, "nothing computed before the output path was checked");
        Assert.DoesNotContain(".tmp", trec.Error);

        string outFolder = Path.Combine(qrels, "model");
        AssertBadInput(CliRunner.RunCaptured("train", "classify", "--task", "sst2", "--data", tmp.Folder, "--out", outFolder), "--out", outFolder);
        AssertBadInput(CliRunner.RunCaptured("eval", "beir", "--data", tmp.Folder, "--bm25-only", "--plot", tmp.Folder), "--plot", "is a folder");
    }

    [TestMethod]
    public void ModelFileThatIsNotAModelIsNamed()
    {
        string rte = SharedData.Require("rte");
        using var tmp = new TempFiles();
        string notAModel = tmp.Write("some.tsv", "a\tb");
        AssertBadInput(CliRunner.RunCaptured("eval", "glue", "--task", "rte", "--data", rte, "--model", notAModel), notAModel, "is not a model file");
    }

    [TestMethod]
    public void TrainingFileWithoutTheLabelColumnNamesFileAndColumn()
    {
        using var tmp = new TempFiles();
        string train = tmp.Write(Path.Combine("sst2", "train.tsv"), "sentence", "a fine film", "a dull film");
        tmp.Write(Path.Combine("sst2", "dev.tsv"), "sentence\tlabel", "good\t1");
        AssertBadInput(CliRunner.RunCaptured("train", "classify", "--task", "sst2", "--data", tmp.Folder, "--mode", "frozen"), train, "'label'");
    }

    [TestMethod]
    public void CorruptEncoderFolderIsNamedByItsPath()
    {
        string folder = MLNetExt.UnitTests.Trainers.TinyFineTuning.WriteEncoderFolder("corrupt-encoder", seed: 1);
        try
        {
            File.WriteAllText(Path.Combine(folder, "model.onnx"), "not a graph");
            using var tmp = new TempFiles();
            tmp.Write(Path.Combine("sst2", "train.tsv"), "sentence\tlabel", "a fine film\t1", "a dull film\t0");
            tmp.Write(Path.Combine("sst2", "dev.tsv"), "sentence\tlabel", "good\t1");
            CliResult result = CliRunner.RunCaptured("train", "classify", "--task", "sst2", "--data", tmp.Folder, "--encoder", folder, "--mode", "finetune", "--max-tokens", "16");
            Assert.AreNotEqual(0, result.Code);
            StringAssert.Contains(result.Error, folder);
            Assert.DoesNotContain("all-MiniLM-L6-v2", result.Error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void StsFileWithoutTheScoreColumnSaysTheColumnIsMissing()
    {
        using var tmp = new TempFiles();
        string file = tmp.Write("sts.tsv", "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2",
            "0\tmain\tf\t2012\t1\tnone\tnone\tA man plays.\tA man is playing.");
        AssertBadInput(CliRunner.RunCaptured("eval", "sts", "--file", file), file, "no 'score' column");
    }

    [TestMethod]
    public void SpaceSeparatedTrecQrelsWithAMissingFieldGetsTheTrecMessage()
    {
        using var tmp = new TempFiles();
        string qrels = tmp.Write("q.txt", "1 0 A");
        string run = tmp.Write("r.run", "1 Q0 A 1 1.0 x");
        CliResult result = CliRunner.RunCaptured("eval", "trec", "--qrels", qrels, "--run", run);
        AssertBadInput(result, qrels, "'qid iter docno rel'", "got 3");
        Assert.DoesNotContain("tab-separated fields 'query-id", result.Error);
    }

    [TestMethod]
    public void MissingIdsWarningNamesOnlyWhatIsMissing()
    {
        using var tmp = new TempFiles();
        string data = WriteBeirFolder(tmp, extraQrels: "q9\td1\t1");
        CliResult result = CliRunner.RunCaptured("eval", "beir", "--data", data, "--bm25-only", "-k", "1");
        Assert.AreEqual(0, result.Code, result.Error);
        StringAssert.Contains(result.Error, "1 queries missing from queries.jsonl (e.g. q9)");
        Assert.DoesNotContain("(e.g. )", result.Error + result.Output);
        Assert.DoesNotContain("documents missing", result.Error);
    }

    /// <summary>A three-document BEIR folder with two judged queries.</summary>
    private static string WriteBeirFolder(TempFiles tmp, string? extraQrels = null)
    {
        string folder = Path.Combine(tmp.Folder, "tiny-beir");
        tmp.Write(Path.Combine("tiny-beir", "corpus.jsonl"),
            "{\"_id\": \"d1\", \"title\": \"Cats\", \"text\": \"The cat sat on the mat and purred.\"}",
            "{\"_id\": \"d2\", \"title\": \"Dogs\", \"text\": \"A dog barked at the postman.\"}",
            "{\"_id\": \"d3\", \"title\": \"Rain\", \"text\": \"Heavy rain fell over the city all night.\"}");
        tmp.Write(Path.Combine("tiny-beir", "queries.jsonl"),
            "{\"_id\": \"q1\", \"text\": \"cat on a mat\"}",
            "{\"_id\": \"q2\", \"text\": \"rain in the city\"}");
        string[] qrels = ["query-id\tcorpus-id\tscore", "q1\td1\t1", "q2\td3\t1"];
        tmp.Write(Path.Combine("tiny-beir", "qrels", "test.tsv"), extraQrels is null ? qrels : [.. qrels, extraQrels]);
        return folder;
    }
}
