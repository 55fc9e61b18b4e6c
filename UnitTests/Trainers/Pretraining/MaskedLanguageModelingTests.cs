using MLNetExt.Trainers.Attribution;
using MLNetExt.Trainers.Pretraining;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Attribution;
using MLNetExt.Transforms.IO;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Transforms;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Trainers.Pretraining;

/// <summary>
/// The masked-language-model head: its file format, C# serving against the TorchSharp module, training on a tiny
/// encoder, the predictor, and ReAGent replacements predicted in context.
/// </summary>
[TestClass]
public sealed class MaskedLanguageModelingTests
{
    private static string _encoderFolder = "";

    // A small world whose masked words are predictable from their neighbours: each subject goes with its own verb
    // and place, so a head over even a random encoder beats always guessing the most frequent word.
    private static readonly (string Subject, string Verb, string Place)[] Facts =
    [
        ("cat", "sleeps", "sofa"), ("dog", "runs", "park"), ("bird", "sings", "tree"), ("fish", "swims", "river"),
        ("horse", "eats", "field"), ("child", "reads", "school"),
    ];

    private static string[] Texts(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var (subject, verb, place) = Facts[random.Next(Facts.Length)];
            return $"the {subject} {verb} in the {place} every day";
        }).ToArray();
    }

    [ClassInitialize]
    public static void WriteTinyEncoder(TestContext context) =>
        _encoderFolder = TinyFineTuning.WriteEncoderFolder("mlnetext-mlm", seed: 13);

    [TestCleanup]
    public void RestoreThreads() => TorchSharp.torch.set_num_threads(Environment.ProcessorCount);

    [ClassCleanup]
    public static void DeleteTinyEncoder()
    {
        if (Directory.Exists(_encoderFolder))
            Directory.Delete(_encoderFolder, recursive: true);
    }

    [TestMethod]
    public void SafetensorsRoundTripsTensorsAndRefusesBadFiles()
    {
        using var folder = new TempFolder("mlnetext-safetensors");
        string path = folder.Combine("t.safetensors");
        SafetensorsFile.Write(path, [("a", [1f, -2.5f, 3f, 4f, 5f, 6f], [2, 3]), ("b", [7f], [1])], new Dictionary<string, string> { ["k"] = "v" });
        byte[] bytes = File.ReadAllBytes(path);
        Assert.AreEqual(0, BitConverter.ToInt64(bytes, 0) % 8, "data starts 8-byte aligned");
        var read = SafetensorsFile.Read(path);
        CollectionAssert.AreEqual(new[] { 1f, -2.5f, 3f, 4f, 5f, 6f }, read["a"].Data);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, read["a"].Shape);
        CollectionAssert.AreEqual(new[] { 7f }, read["b"].Data);
        Assert.IsFalse(read.ContainsKey("__metadata__"));

        Assert.ThrowsExactly<ArgumentException>(() => SafetensorsFile.Write(folder.Combine("bad.safetensors"), [("a", [1f, 2f], [3])]));
        File.WriteAllBytes(folder.Combine("short.safetensors"), [1, 2, 3]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => SafetensorsFile.Read(folder.Combine("short.safetensors"))).Message, "too short");
        File.WriteAllBytes(folder.Combine("cut.safetensors"), bytes[..^4]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => SafetensorsFile.Read(folder.Combine("cut.safetensors"))).Message, "tensor 'b'");
    }

    [TestMethod]
    public void TokenizeWordsPutsOneMaskTokenInPlaceOfEachMaskedWord()
    {
        EncoderTokenizer tokenizer = TrainerTestData.Tokenizer(32);
        string[] words = ["an", "unbelievably", "good", "film"];
        WordPieceTokens plain = tokenizer.TokenizeWords(words);
        WordPieceTokens masked = tokenizer.TokenizeWords(words, null, w => w == 1);
        Assert.IsTrue(plain.Tokens.Length > masked.Tokens.Length, "'unbelievably' is several pieces, its mask one token");
        int at = Array.IndexOf(masked.WordOfToken, 1);
        Assert.AreEqual(tokenizer.MaskTokenId, masked.Tokens.Ids[at]);
        Assert.AreEqual(1, masked.WordOfToken.Count(w => w == 1));
        CollectionAssert.AreEqual(plain.Tokens.Ids[^3..], masked.Tokens.Ids[^3..], "the words after it are unchanged");
    }

    [TestMethod]
    public void AHeadOverMiniLmPredictsMaskedWordsFarAboveTheFrequencyFloor()
    {
        var options = new MaskedLanguageModelingOptions
        {
            MaskFraction = 0.3, MaxTokens = 16,
            Training = new TrainingOptions { BatchSize = 64, Epochs = 6, LearningRate = 5e-3, WarmupFraction = 0.05, Seed = 3, Threads = 1, KeepBestModel = false },
        };
        MaskedLanguageModelingResult result = MaskedLanguageModeling.Train(TrainerTestData.MiniLmEncoder, Texts(120, 1), Texts(40, 2), options);

        Assert.IsTrue(result.TrainingWords >= 120, $"{result.TrainingWords} masked training words");
        Assert.IsTrue(result.Top1 > result.FrequencyTop1 + 0.3, $"top-1 {result.Top1:F3} vs frequency floor {result.FrequencyTop1:F3}");
        Assert.IsTrue(result.Top5 >= result.Top1);
        Assert.AreEqual(result.Top1, result.Training.Evaluations[^1].Metrics["top1"], 1e-12, "the last evaluation is the final head's");
    }

    [TestMethod]
    public void TheHeadServesInCSharpAsTorchSharpComputesItAndThePredictorFillsWholeWords()
    {
        EncoderModel encoder = EncoderModel.Load(_encoderFolder);
        var options = new MaskedLanguageModelingOptions
        {
            MaskFraction = 0.3, MaxTokens = 16,
            Training = new TrainingOptions { BatchSize = 64, Epochs = 3, LearningRate = 5e-3, Seed = 3, Threads = 1, KeepBestModel = false },
        };
        MaskedLanguageModelingResult result = MaskedLanguageModeling.Train(encoder, Texts(120, 1), Texts(20, 2), options);

        using var folder = new TempFolder("mlnetext-mlm-model");
        string modelFolder = folder.Combine("mlm");
        result.Save(modelFolder);
        Assert.IsTrue(File.Exists(Path.Combine(modelFolder, MaskedLanguageModelHead.FileName)));
        using MaskedWordPredictor predictor = MaskedWordPredictor.Load(modelFolder, maxTokens: 16);

        // The C# head equals the TorchSharp module on the same states (the module rebuilt from the saved weights).
        using var textEncoder = new MaskedTextEncoder(encoder, maxTokens: 16);
        MaskedWords words = MaskedLanguageModeling.Mask(textEncoder, Texts(8, 5), 0.3, 9, CancellationToken.None);
        var logits = new float[predictor.Head.VocabularySize];
        float[][] reference = TorchLogits(predictor.Head, encoder, words);
        for (int row = 0; row < words.Count; row++)
        {
            predictor.Head.Logits(words.States.AsSpan(row * words.Hidden, words.Hidden), logits);
            for (int v = 0; v < logits.Length; v += 97)
                Assert.AreEqual(reference[row][v], logits[v], 2e-4f, $"row {row}, piece {v}");
        }

        // The predictor fills a masked verb from its subject.
        string[] text = ["the", "dog", "runs", "in", "the", "park", "every", "day"];
        IReadOnlyDictionary<int, WordCandidate[]> filled = predictor.Predict([new MaskedText(text, [false, false, true])], topK: 3)[0];
        Assert.AreEqual(1, filled.Count);
        Assert.AreEqual(3, filled[2].Length);
        Assert.IsTrue(filled[2][0].Probability >= filled[2][1].Probability);
        Assert.IsTrue(filled[2].All(c => !c.Word.StartsWith("##", StringComparison.Ordinal) && !c.Word.StartsWith('[')), "whole words only");
    }

    [TestMethod]
    public void ReAgentWithAPredictedBaselineReplacesWordsInContextAndRepeatsWithItsSeed()
    {
        using var folder = new TempFolder("mlnetext-mlm-reagent");
        EncoderModel encoder = EncoderModel.Load(_encoderFolder);
        var options = new MaskedLanguageModelingOptions
        {
            MaxTokens = 16, Training = new TrainingOptions { BatchSize = 64, Epochs = 5, LearningRate = 5e-3, Seed = 3, Threads = 1, KeepBestModel = false },
        };
        MaskedLanguageModeling.Train(encoder, Texts(120, 1), Texts(20, 2), options).Save(folder.Combine("mlm"));

        var settings = new AttributionMethodSettings { ReplacementModel = folder.Combine("mlm"), ReplacementTopK = 3 };
        WordBaseline baseline = settings.ReAgentBaseline(() => throw new AssertFailedException("the unigram corpus is not read"), out MaskedWordPredictor? predictor);
        using (predictor)
        {
            Assert.AreEqual(WordBaselineKind.PredictedWord, baseline.Kind);
            TextInstance input = TextInstance.Create("the cat sleeps in the sofa every day");
            bool[][] keeps = [[true, false, true, true, true, true, true, true], [false, true, true, true, true, false, true, true]];
            string?[][] first = baseline.Replace(input, keeps, new Random(4));
            string?[][] again = baseline.Replace(input, keeps, new Random(4));
            for (int k = 0; k < keeps.Length; k++)
            {
                CollectionAssert.AreEqual(first[k], again[k], "same seed, same replacements");
                for (int i = 0; i < input.Count; i++)
                {
                    if (keeps[k][i])
                        Assert.AreEqual(input.Words[i], first[k][i]);
                    else
                        Assert.IsFalse(string.Equals(input.Words[i], first[k][i], StringComparison.OrdinalIgnoreCase), $"the original word '{input.Words[i]}' is never drawn");
                }
            }
            Assert.ThrowsExactly<InvalidOperationException>(() => baseline.Replacement(new Random(1)));
        }
        var missing = new AttributionMethodSettings { ReplacementModel = folder.Combine("nothing-here") };
        Assert.ThrowsExactly<FileNotFoundException>(() => missing.ReAgentBaseline(() => ["x"], out _));
    }

    [TestMethod]
    public void WikiTextParagraphsBecomeSentencesWithoutHeadingsOrJoinMarks()
    {
        string[] sentences = MaskedLanguageModelingRun.Sentences([" = Title = ", " A well @-@ known actor . He won 1 @,@ 000 prizes . ", "short line"], null);
        CollectionAssert.AreEqual(new[] { "A well-known actor", "He won 1,000 prizes .", "short line" }, sentences);
        Assert.AreEqual(1, MaskedLanguageModelingRun.Sentences([" A . B . C "], 1).Length);
    }

    private static float[][] TorchLogits(MaskedLanguageModelHead head, EncoderModel encoder, MaskedWords words)
    {
        // The module's forward over the same weights: dense, GELU, LayerNorm, tied output.
        var weights = MLNetExt.Transforms.Onnx.OnnxBertReader.Read(encoder.OnnxPath);
        float[] embeddings = weights.Weights["embeddings.word_embeddings.weight"].Data;
        string path = Path.Combine(Path.GetTempPath(), "mlnetext-head-" + Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            head.Save(path);
            var saved = SafetensorsFile.Read(path);
            using var module = new MaskedLanguageModelHeadModule(head.Hidden, embeddings, weights.Config.LayerNormEps);
            using (no_grad())
            {
                foreach (var (name, parameter) in module.named_parameters())
                {
                    string key = name switch
                    {
                        "dense.weight" => MaskedLanguageModelHead.DenseWeightName,
                        "dense.bias" => MaskedLanguageModelHead.DenseBiasName,
                        "LayerNorm.weight" => MaskedLanguageModelHead.NormWeightName,
                        "LayerNorm.bias" => MaskedLanguageModelHead.NormBiasName,
                        _ => MaskedLanguageModelHead.OutputBiasName,
                    };
                    parameter.copy_(tensor(saved[key].Data).reshape(parameter.shape));
                }
                module.eval();
                using Tensor output = module.forward(tensor(words.States).reshape(words.Count, words.Hidden));
                float[] flat = output.data<float>().ToArray();
                int vocabulary = (int)output.shape[1];
                return Enumerable.Range(0, words.Count).Select(r => flat[(r * vocabulary)..((r + 1) * vocabulary)]).ToArray();
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
