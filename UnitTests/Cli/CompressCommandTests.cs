using System.Text.Json;
using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Trainers;
using MLNetExt.UnitTests.Transforms;
using TorchSharp;

namespace MLNetExt.UnitTests.Cli;

/// <summary><c>mlnetext compress</c> on a tiny 4-layer encoder: distils, quantises, writes the folder and the report; bad input exits 2 naming the value.</summary>
[TestClass]
[DoNotParallelize]
public sealed class CompressCommandTests
{
    private static string WriteTinyEncoder(string folder)
    {
        Directory.CreateDirectory(folder);
        torch.manual_seed(5);
        using var model = new BertModel(new BertConfig
        {
            VocabSize = 30522, HiddenSize = 16, HeadsPerLayer = [2, 2, 2, 2], HeadSize = 8, IntermediateSize = 32, MaxPositionEmbeddings = 64,
        });
        OnnxBertWriter.Save(model.ToWeights(), Path.Combine(folder, "model.onnx"));
        File.WriteAllBytes(Path.Combine(folder, "vocab.txt"), TrainerTestData.MiniLmVocabulary);
        File.WriteAllText(Path.Combine(folder, "config.json"), model.Config.ToJson());
        return folder;
    }

    [TestMethod]
    public void CompressDistilsAndQuantisesATinyEncoderAndReportsBothModels()
    {
        using var temp = new TempFolder();
        string encoder = WriteTinyEncoder(temp.Combine("tiny"));
        string text = temp.Combine("text.txt");
        string[] sentences = TrainerTestData.StsbSentences(40);
        File.WriteAllLines(text, sentences.Prepend(" = Heading = "));
        int distinct = sentences.Distinct(StringComparer.Ordinal).Count();
        string output = temp.Combine("compressed"), json = temp.Combine("report.json"), sts = temp.Combine("sts.tsv");
        File.WriteAllLines(sts, File.ReadLines(SharedData.RequireFile("stsb", "dev.tsv")).Take(31));

        CliResult result = CliRunner.RunCaptured("compress", "--encoder", encoder, "--int8", "--layers", "2", "--distill-text", text, "--eval-sts", sts,
            "--max-tokens", "32", "--batch-size", "8", "--learning-rate", "1e-3", "--speed-rows", "16", "--speed-rounds", "1", "--out", output, "--json", json);
        Assert.AreEqual(0, result.Code, result.Output + result.Error);
        StringAssert.Contains(result.Output, "Distilling");
        StringAssert.Contains(result.Output, "speed-up");

        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = report.RootElement;
        CollectionAssert.AreEqual(new[] { 0, 3 }, root.GetProperty("teacher_layers").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.AreEqual(distinct, root.GetProperty("distill_texts").GetInt32(), "the heading line is skipped, repeated sentences count once");
        Assert.AreEqual((distinct + 7) / 8, root.GetProperty("distill_steps").GetInt32());
        StringAssert.Contains(root.GetProperty("quantization").GetString(), "2 QAttention");
        StringAssert.Contains(root.GetProperty("compressed").GetProperty("model").GetString(), "2 layers");
        Assert.IsGreaterThan(0, root.GetProperty("speedup").GetDouble());
        Assert.IsLessThan(root.GetProperty("original").GetProperty("size_bytes").GetInt64(), root.GetProperty("compressed").GetProperty("size_bytes").GetInt64());
        Assert.AreEqual(JsonValueKind.Number, root.GetProperty("compressed").GetProperty("sts_spearman").ValueKind);
        string plot = root.GetProperty("plot_path").GetString()!;
        Assert.AreEqual(Path.Combine(Path.GetFullPath(output), "speed_quality.png"), plot);
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(plot).Take(4).ToArray(), "timed and scored: the plot is written");

        EncoderModel written = EncoderModel.Load(output);
        Assert.AreEqual(2, written.Config.Layers);
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(written.ReadOnnxBytes());
        Assert.AreEqual(2, graph.Graph.Node.Count(n => n.OpType == "QAttention"));
    }

    [TestMethod]
    public void CompressPrunesHeadsAndTheWrittenGraphHasFewerHeads()
    {
        using var temp = new TempFolder();
        string encoder = WriteTinyEncoder(temp.Combine("tiny"));
        string text = temp.Combine("text.txt");
        File.WriteAllLines(text, TrainerTestData.StsbSentences(32));
        string output = temp.Combine("pruned"), json = temp.Combine("report.json");

        CliResult result = CliRunner.RunCaptured("compress", "--encoder", encoder, "--prune-heads", "0.4", "--importance-batches", "2", "--distill-text", text,
            "--max-tokens", "32", "--batch-size", "8", "--speed-rows", "0", "--out", output, "--json", json);
        Assert.AreEqual(0, result.Code, result.Output + result.Error);
        StringAssert.Contains(result.Output, "Pruning 0.4 of the attention heads");

        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = report.RootElement;
        Assert.AreEqual(8, root.GetProperty("heads_total").GetInt32());
        Assert.AreEqual(5, root.GetProperty("heads_kept").GetInt32(), "round(0.4 x 8) = 3 heads removed");
        StringAssert.Contains(root.GetProperty("compressed").GetProperty("model").GetString(), "5 of 8 heads");
        // The recovery fine-tune ran (its time, rounded to 0.1 s, can be 0 on a quiet machine for this tiny model).
        double recoveryLoss = root.GetProperty("head_recovery_mean_loss").GetDouble();
        Assert.IsTrue(recoveryLoss > 0 && double.IsFinite(recoveryLoss), $"recovery mean loss {recoveryLoss}");
        Assert.AreEqual(5, OnnxBertReader.Read(Path.Combine(output, "model.onnx")).Config.HeadsPerLayer.Sum());
        Assert.AreEqual(JsonValueKind.Null, root.GetProperty("head_routing_mean_loss").ValueKind, "importance pruning has no routing run");

        // SHRP: a routing run learns the unpruned encoder's embeddings, then the least-used heads go and recovery follows.
        string shrpOutput = temp.Combine("shrp"), shrpJson = temp.Combine("shrp.json");
        CliResult shrp = CliRunner.RunCaptured("compress", "--encoder", encoder, "--prune-heads", "0.4", "--method", "shrp", "--distill-text", text,
            "--max-tokens", "32", "--batch-size", "8", "--speed-rows", "0", "--out", shrpOutput, "--json", shrpJson);
        Assert.AreEqual(0, shrp.Code, shrp.Output + shrp.Error);
        StringAssert.Contains(System.Text.RegularExpressions.Regex.Replace(shrp.Output, @"\s+", " "), "(SHRP, 1 routing epochs)", "the console may wrap the line");
        using (JsonDocument shrpReport = JsonDocument.Parse(File.ReadAllText(shrpJson)))
        {
            JsonElement r = shrpReport.RootElement;
            Assert.AreEqual(5, r.GetProperty("heads_kept").GetInt32());
            double routingLoss = r.GetProperty("head_routing_mean_loss").GetDouble();
            Assert.IsTrue(routingLoss > 0 && double.IsFinite(routingLoss), $"routing mean loss {routingLoss}");
            Assert.IsTrue(r.GetProperty("head_recovery_mean_loss").GetDouble() > 0);
        }
        Assert.AreEqual(5, OnnxBertReader.Read(Path.Combine(shrpOutput, "model.onnx")).Config.HeadsPerLayer.Sum());

        foreach (string bad in new[] { "0", "1", "-0.5", "1.2" })
        {
            CliResult refused = CliRunner.RunCaptured("compress", "--encoder", encoder, "--prune-heads", bad, "--distill-text", text, "--out", temp.Combine("bad"));
            Assert.AreEqual(2, refused.Code, refused.Output + refused.Error);
            StringAssert.Contains(refused.Error, "--prune-heads must be a fraction in (0, 1)");
            StringAssert.Contains(refused.Error, $"got {double.Parse(bad, System.Globalization.CultureInfo.InvariantCulture)}");
        }
        CliResult tooMany = CliRunner.RunCaptured("compress", "--encoder", encoder, "--prune-heads", "0.9", "--distill-text", text, "--max-tokens", "32", "--out", temp.Combine("bad"));
        Assert.AreEqual(2, tooMany.Code, tooMany.Output + tooMany.Error);
        StringAssert.Contains(tooMany.Error, "leave a layer without heads");
        CliResult noText = CliRunner.RunCaptured("compress", "--encoder", encoder, "--prune-heads", "0.4", "--out", temp.Combine("bad"));
        Assert.AreEqual(2, noText.Code);
        StringAssert.Contains(noText.Error, "--prune-heads needs --distill-text");
        Assert.IsFalse(Directory.Exists(temp.Combine("bad")), "nothing is written on bad input");
    }

    [TestMethod]
    public void CompressDistilsChosenLayersOnHiddenStatesAndAttentionMapsFromATextFileAndABeirCorpus()
    {
        using var temp = new TempFolder();
        string encoder = WriteTinyEncoder(temp.Combine("tiny"));
        string text = temp.Combine("sentences.txt"), corpus = temp.Combine("corpus.jsonl");
        File.WriteAllLines(text, TrainerTestData.StsbSentences(40));
        File.WriteAllLines(corpus, Enumerable.Range(0, 5).Select(i =>
            JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = $"d{i}", ["title"] = $"Document {i}", ["text"] = $"A long abstract number {i} about cells." })));
        string output = temp.Combine("student"), json = temp.Combine("report.json");

        CliResult result = CliRunner.RunCaptured("compress", "--encoder", encoder, "--student-layers", "1,3", "--hidden-weight", "1", "--attention-weight", "0.5",
            "--distill-text", text, "--distill-text", corpus, "--max-distill-texts", "16", "--max-tokens", "32", "--batch-size", "8",
            "--speed-rows", "0", "--out", output, "--json", json);
        Assert.AreEqual(0, result.Code, result.Output + result.Error);
        string console = result.Output.ReplaceLineEndings(" ").Replace("  ", " ");
        StringAssert.Contains(console, "hidden-state weight 1", "the console wraps long lines");
        StringAssert.Contains(console, "attention-map weight 0.5");
        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(json));
        CollectionAssert.AreEqual(new[] { 1, 3 }, report.RootElement.GetProperty("teacher_layers").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.AreEqual(16, report.RootElement.GetProperty("distill_texts").GetInt32());
        Assert.AreEqual(2, EncoderModel.Load(output).Config.Layers);
    }

    [TestMethod]
    public void BadInputExitsTwoNamingTheValue()
    {
        using var temp = new TempFolder();
        string encoder = WriteTinyEncoder(temp.Combine("tiny"));
        string text = temp.Combine("text.txt");
        File.WriteAllLines(text, ["a cat sat on the mat", "a dog ran home"]);
        string output = temp.Combine("out");

        CliResult tooMany = CliRunner.RunCaptured("compress", "--encoder", encoder, "--layers", "9", "--distill-text", text, "--max-tokens", "32", "--out", output);
        Assert.AreEqual(2, tooMany.Code, tooMany.Output + tooMany.Error);
        StringAssert.Contains(tooMany.Error, "--layers must be 1 to 4");
        StringAssert.Contains(tooMany.Error, "got 9");

        CliResult nothing = CliRunner.RunCaptured("compress", "--encoder", encoder, "--out", output);
        Assert.AreEqual(2, nothing.Code);
        StringAssert.Contains(nothing.Error, "Nothing to do");

        CliResult noText = CliRunner.RunCaptured("compress", "--encoder", encoder, "--layers", "2", "--out", output);
        Assert.AreEqual(2, noText.Code);
        StringAssert.Contains(noText.Error, "--distill-text");

        CliResult word = CliRunner.RunCaptured("compress", "--encoder", encoder, "--student-layers", "0,x", "--distill-text", text, "--out", output);
        Assert.AreEqual(2, word.Code);
        StringAssert.Contains(word.Error, "'x' is not a layer number");

        CliResult outside = CliRunner.RunCaptured("compress", "--encoder", encoder, "--student-layers", "0,9", "--distill-text", text, "--max-tokens", "32", "--out", output);
        Assert.AreEqual(2, outside.Code, outside.Output + outside.Error);
        StringAssert.Contains(outside.Error, "layer 9");

        CliResult disagree = CliRunner.RunCaptured("compress", "--encoder", encoder, "--layers", "3", "--student-layers", "0,2", "--distill-text", text, "--max-tokens", "32", "--out", output);
        Assert.AreEqual(2, disagree.Code, disagree.Output + disagree.Error);
        StringAssert.Contains(disagree.Error, "disagrees");

        CliResult negative = CliRunner.RunCaptured("compress", "--encoder", encoder, "--layers", "2", "--hidden-weight", "-1", "--distill-text", text, "--out", output);
        Assert.AreEqual(2, negative.Code);
        StringAssert.Contains(negative.Error, "--hidden-weight must be a non-negative number; got -1");
        CliResult negativeAttention = CliRunner.RunCaptured("compress", "--encoder", encoder, "--layers", "2", "--attention-weight", "-0.5", "--distill-text", text, "--out", output);
        Assert.AreEqual(2, negativeAttention.Code);
        StringAssert.Contains(negativeAttention.Error, "--attention-weight must be a non-negative number; got -0.5");

        CliResult missing = CliRunner.RunCaptured("compress", "--encoder", encoder, "--layers", "2", "--distill-text", temp.Combine("none.txt"), "--out", output);
        Assert.AreEqual(2, missing.Code);
        StringAssert.Contains(missing.Error, "none.txt");
        Assert.IsFalse(Directory.Exists(output), "nothing is written on bad input");
    }
}
