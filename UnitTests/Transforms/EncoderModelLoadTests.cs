using System.Text.Json.Nodes;
using MLNetExt.Transforms;

namespace MLNetExt.UnitTests.Transforms;

[TestClass]
public sealed class EncoderModelLoadTests
{
    private const string BertConfig = """{ "model_type": "bert", "hidden_size": 8, "num_hidden_layers": 2, "num_attention_heads": 2, "max_position_embeddings": 64 }""";

    [TestMethod]
    public void MissingConfig_NamesTheFile()
    {
        using var folder = new TempFolder();
        var ex = Assert.ThrowsExactly<FileNotFoundException>(() => EncoderModel.Load(folder.Path));
        StringAssert.Contains(ex.Message, "config.json");
        Assert.AreEqual(folder.Combine("config.json"), ex.FileName);
    }

    [TestMethod]
    public void MissingVocabulary_SaysWhatWasExpected()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.Combine("config.json"), BertConfig);
        var ex = Assert.ThrowsExactly<FileNotFoundException>(() => EncoderModel.Load(folder.Path));
        StringAssert.Contains(ex.Message, "vocab.txt or tokenizer.json");
    }

    [TestMethod]
    public void SafetensorsOnly_IsNotSupported_WithTheWayOut()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.Combine("config.json"), BertConfig);
        File.WriteAllText(folder.Combine("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n");
        File.WriteAllBytes(folder.Combine("model.safetensors"), new byte[16]);
        var ex = Assert.ThrowsExactly<NotSupportedException>(() => EncoderModel.Load(folder.Path));
        StringAssert.Contains(ex.Message, "model.safetensors");
        StringAssert.Contains(ex.Message, "Trainers");
    }

    [TestMethod]
    public void MissingGraph_NamesTheExpectedFiles()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.Combine("config.json"), BertConfig);
        File.WriteAllText(folder.Combine("vocab.txt"), "[PAD]\n");
        var ex = Assert.ThrowsExactly<FileNotFoundException>(() => EncoderModel.Load(folder.Path));
        StringAssert.Contains(ex.Message, "model.onnx, onnx/model.onnx or model.safetensors");
    }

    [TestMethod]
    public void MalformedConfig_GivesFileAndLine()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.Combine("config.json"), "{\n  \"hidden_size\": 8,\n  oops\n}");
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => EncoderModel.Load(folder.Path));
        StringAssert.Contains(ex.Message, folder.Combine("config.json"));
        StringAssert.Contains(ex.Message, "line 3");
    }

    [TestMethod]
    public void ConfigWithoutHiddenSize_IsRejected()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.Combine("config.json"), """{ "model_type": "bert" }""");
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => EncoderModel.Load(folder.Path));
        StringAssert.Contains(ex.Message, "hidden_size");
    }

    [TestMethod]
    public void HuggingFaceFolder_WithTokenizerJsonAndSentenceTransformersFiles_IsRead()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.Combine("config.json"), BertConfig);
        Directory.CreateDirectory(folder.Combine("onnx"));
        File.WriteAllBytes(folder.Combine("onnx", "model.onnx"), new byte[] { 8, 7 });
        File.WriteAllText(folder.Combine("sentence_bert_config.json"), """{ "max_seq_length": 128, "do_lower_case": false }""");
        Directory.CreateDirectory(folder.Combine("1_Pooling"));
        File.WriteAllText(folder.Combine("1_Pooling", "config.json"), """{ "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false }""");
        File.WriteAllText(folder.Combine("modules.json"), """[{ "type": "sentence_transformers.models.Normalize" }]""");
        var vocab = new JsonObject();
        string[] tokens = { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s" };
        for (int i = 0; i < tokens.Length; i++)
            vocab[tokens[i]] = i;
        var tokenizer = new JsonObject { ["model"] = new JsonObject { ["type"] = "WordPiece", ["vocab"] = vocab } };
        File.WriteAllText(folder.Combine("tokenizer.json"), tokenizer.ToJsonString());

        EncoderModel model = EncoderModel.Load(folder.Path);
        Assert.AreEqual(folder.Combine("onnx", "model.onnx"), model.OnnxPath);
        Assert.AreEqual(128, model.Config.MaxTokens);
        Assert.AreEqual(EncoderPooling.Cls, model.Config.Pooling);
        Assert.IsTrue(model.Config.Normalize);
        Assert.IsFalse(model.Config.LowerCase);
        Assert.AreEqual(2, model.Config.Layers);

        var ids = model.CreateTokenizer().EncodeToIds("hello worlds");
        CollectionAssert.AreEqual(new[] { 2, 5, 6, 7, 3 }, ids.ToArray());
    }
}
