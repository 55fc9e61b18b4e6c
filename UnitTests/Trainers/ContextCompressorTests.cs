using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Trainers.ContextCompression;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Modules;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.UnitTests.Infrastructure;
using MLNetExt.UnitTests.Transforms;
using TorchSharp;
using static MLNetExt.UnitTests.Transforms.EncoderTestModels;
using static TorchSharp.torch;

namespace MLNetExt.UnitTests.Trainers;

[TestClass]
public sealed class ContextCompressorTests
{
    private static readonly BertConfig Tiny = new()
    {
        VocabSize = 30522, HiddenSize = 16, HeadsPerLayer = [2, 2], HeadSize = 8, IntermediateSize = 32, MaxPositionEmbeddings = 64,
        HiddenDropout = 0, AttentionDropout = 0,
    };

    private static readonly string[] Sentences =
    {
        "A man is playing a guitar.",
        "A woman is slicing an onion into small pieces on a wooden board.",
        "Stocks fell.",
        "The quick brown fox jumps over the lazy dog while the farmer watches.",
    };

    /// <summary>A tiny random encoder written as a model folder, and its weights.</summary>
    private static (EncoderModel Model, BertWeights Weights) TinyEncoder(TempFolder folder, int seed)
    {
        torch.manual_seed(seed);
        using var bert = new BertModel(Tiny);
        BertWeights weights = bert.ToWeights();
        OnnxBertWriter.Save(weights, folder.Combine("model.onnx"));
        File.WriteAllBytes(folder.Combine("vocab.txt"), TrainerTestData.MiniLmVocabulary);
        File.WriteAllText(folder.Combine("config.json"), Tiny.ToJson());
        return (EncoderModel.Load(folder.Path), weights);
    }

    /// <summary>A compressor of width 12 with every parameter moved off its initial value, so that every path of the graph counts.</summary>
    private static ContextCompressorModel PerturbedCompressor(BertWeights weights)
    {
        var model = ContextCompressorModel.FromEncoder(weights, dimension: 12, projectorInnerSize: 20);
        using (no_grad())
            foreach (var p in model.parameters())
                p.add_(randn_like(p) * 0.1);
        model.eval();
        return model;
    }

    private static float[] TorchVectors(ContextCompressorModel model, TokenizedText row, int ratio, int? fixedCount)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using CompressedSide side = CompressedSide.Create([row], ratio, fixedCount);
        return side.Forward(model).data<float>().ToArray();
    }

    [TestMethod]
    [DataRow(4, null)]
    [DataRow(1, null)]
    [DataRow(8, 3)]
    public void OnnxRuntimeServesTheTorchSharpModule_WithinOneE4_KPerRow(int ratio, int? fixedCount)
    {
        using var folder = new TempFolder("arc-parity");
        (EncoderModel encoder, BertWeights weights) = TinyEncoder(folder, 3);
        using ContextCompressorModel model = PerturbedCompressor(weights);
        using LearnedContextCompressor compressor = model.Export(encoder, ratio, "test compressor");
        Assert.AreEqual(12, compressor.Dimension);
        Assert.AreEqual(1, compressor.Encoder.Config.Layers);

        var mlContext = new MLContext(seed: 1);
        IDataView data = Texts(mlContext, Sentences);
        var transformer = mlContext.Transforms.Text.CompressContext(new CompressContextOptions
        {
            Method = ContextCompressionMethod.Learned, Compressor = compressor, Ratio = ratio, VectorCount = fixedCount, Normalize = false,
        }).Fit(data);
        Assert.AreEqual(12, transformer.Dimension);
        IDataView output = transformer.Transform(data);
        List<float[]> vectors = ReadVectors(output, "Vectors");
        int[] counts = output.GetColumn<int>("VectorsCount").ToArray();

        EncoderTokenizer tokenizer = EncoderTokenizer.Create(encoder);
        for (int row = 0; row < Sentences.Length; row++)
        {
            TokenizedText tokens = tokenizer.Tokenize(Sentences[row], null);
            int wordPieces = tokens.Length - 2;
            int k = fixedCount is int f ? Math.Min(f, wordPieces) : (wordPieces + ratio - 1) / ratio;
            Assert.AreEqual(k, counts[row], $"K of row {row}");
            float[] expected = TorchVectors(model, tokens, ratio, fixedCount);
            Assert.AreEqual(k * 12, expected.Length);
            Assert.AreEqual(expected.Length, vectors[row].Length, $"values of row {row}");
            double worst = expected.Select((e, i) => Math.Abs(e - vectors[row][i])).Max();
            Assert.IsLessThanOrEqualTo(1e-4, worst, $"row {row}: ONNX Runtime vs TorchSharp max diff {worst:E2}");
        }
        transformer.Dispose();
    }

    [TestMethod]
    [DataRow(4, null, true)]
    [DataRow(1, null, false)]
    [DataRow(8, 3, true)]
    public void BatchedServing_GivesWhatOneTextAtATimeGives(int ratio, int? fixedCount, bool normalize)
    {
        using var folder = new TempFolder("arc-batch");
        (EncoderModel encoder, BertWeights weights) = TinyEncoder(folder, 9);
        using ContextCompressorModel model = PerturbedCompressor(weights);
        using LearnedContextCompressor compressor = model.Export(encoder, 4, "test compressor");
        var random = new Random(4);
        // Texts of 3 to 21 tokens ([CLS] and [SEP] included), so the batch pads both tokens and vectors.
        ReadOnlyMemory<float>[] texts = new[] { 9, 3, 21, 14, 5 }
            .Select(tokens => (ReadOnlyMemory<float>)Enumerable.Range(0, tokens * 16).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray()).ToArray();

        float[][] batched = compressor.CompressBatch(texts, ratio, fixedCount, normalize);
        Assert.HasCount(texts.Length, batched);
        for (int t = 0; t < texts.Length; t++)
        {
            float[] alone = compressor.Compress(texts[t].Span, ratio, fixedCount, normalize);
            int wordPieces = texts[t].Length / 16 - 2;
            int k = fixedCount is int f ? Math.Min(f, wordPieces) : (wordPieces + ratio - 1) / ratio;
            Assert.AreEqual(k * 12, alone.Length, $"K of text {t}");
            Assert.AreEqual(alone.Length, batched[t].Length, $"values of text {t}");
            double worst = alone.Select((a, i) => Math.Abs(a - batched[t][i])).Max();
            Assert.IsLessThanOrEqualTo(1e-5, worst, $"text {t}: batched vs alone max diff {worst:E2}");
        }

        var empty = Assert.ThrowsExactly<ArgumentException>(() => compressor.CompressBatch([], ratio));
        StringAssert.Contains(empty.Message, "at least one text");
        var ragged = Assert.ThrowsExactly<ArgumentException>(() => compressor.CompressBatch([texts[0], new float[20]], ratio));
        StringAssert.Contains(ragged.Message, "tokenStates[1]; got 20 floats");
    }

    [TestMethod]
    public void LateInteractionRetrieval_BatchedCompressor_GivesWhatOneDocumentAtATimeGives()
    {
        using var folder = new TempFolder("arc-retrieve");
        (EncoderModel encoder, BertWeights weights) = TinyEncoder(folder, 13);
        using ContextCompressorModel model = PerturbedCompressor(weights);
        using LearnedContextCompressor compressor = model.Export(encoder, 4, "test compressor");
        using var tmp = new global::MLNetExt.UnitTests.Evaluation.TempFiles();
        BeirDataset data = global::MLNetExt.UnitTests.Evaluation.LateInteractionTests.RandomDataset(tmp, documents: 23, queries: 5);
        var ml = new MLContext(seed: 1);
        var encode = ml.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            InputColumnName = "Text", OutputColumnName = "Embedding", Model = encoder, TokenEmbeddingsColumnName = "Tokens",
        }).Fit(Texts(ml));
        var embedder = new TransformerEmbedder(ml, encode, "Text", "Tokens");
        int hidden = encoder.Config.HiddenSize;

        // The batch mapper itself, on documents of different lengths: the vectors Compress gives each one alone.
        MultiVectorVariant batched = LateInteractionVariants.Learned(compressor, 4, batchSize: 3);
        MultiVectorVariant alone = LateInteractionVariants.Learned(compressor, 4, batchSize: 1);
        Assert.IsNull(alone.DocumentBatchVectors);
        float[][] states = embedder.EmbedAll(data.Corpus.Select(d => d.Text).ToList());
        Assert.IsGreaterThan(2, states.Select(s => s.Length).Distinct().Count(), "the documents should differ in length");
        float[][] fromBatch = batched.DocumentBatchVectors!(states.Select(s => (ReadOnlyMemory<float>)s).ToArray(), hidden);
        for (int d = 0; d < states.Length; d++)
        {
            float[] one = alone.DocumentVectors(states[d], hidden);
            Assert.AreEqual(one.Length, fromBatch[d].Length, $"values of document {d}");
            double worst = one.Select((v, i) => Math.Abs(v - fromBatch[d][i])).Max();
            Assert.IsLessThanOrEqualTo(1e-5, worst, $"document {d}: batched vs alone max diff {worst:E2}");
        }

        // End to end through the retriever, blocks of 5 documents (the last one partial): the same ranking and scores.
        var options = new MultiVectorRetrievalOptions { TopK = 10, BlockDocuments = 5 };
        var results = MultiVectorRetriever.Retrieve(data, embedder, hidden, [alone, batched], options);
        Assert.AreEqual(results[0].Vectors, results[1].Vectors);
        Assert.AreEqual(23, results[1].Documents);
        foreach (var query in data.Queries)
        {
            var expected = results[0].Run.Ranked(query.Id);
            var actual = results[1].Run.Ranked(query.Id);
            Assert.HasCount(10, actual);
            for (int i = 0; i < expected.Count; i++)
                Assert.AreEqual(expected[i].Value, actual[i].Value, 1e-5, $"{query.Id} rank {i}");
        }
        encode.Dispose();
    }

    [TestMethod]
    public void PooledLayer_SharesBertLayersFeedForward_UnderTheSameParameterNames()
    {
        // Weight import, ONNX export and checkpoints go by these names, in this order.
        using var bert = new BertLayer(Tiny, 2);
        using var pooled = new PooledQueryAttentionLayer(Tiny, 2);
        string[] names = bert.named_parameters().Select(p => p.name).ToArray();
        CollectionAssert.AreEqual(names, pooled.named_parameters().Select(p => p.name).ToArray());
        CollectionAssert.AreEqual(new[]
        {
            "intermediate.dense.weight", "intermediate.dense.bias", "output.dense.weight", "output.dense.bias", "output.LayerNorm.weight", "output.LayerNorm.bias",
        }, names[^6..]);
        Assert.IsTrue(names.Take(names.Length - 6).All(n => n.StartsWith("attention.", StringComparison.Ordinal)), string.Join(", ", names));
    }

    [TestMethod]
    public void UntrainedCompressorAtRatioOne_IsTheEncodersOwnLastLayer()
    {
        using var folder = new TempFolder("arc-identity");
        (EncoderModel _, BertWeights weights) = TinyEncoder(folder, 5);
        using var bert = weights.CreateModel();
        using var model = ContextCompressorModel.FromEncoder(weights);
        bert.eval();
        model.eval();
        TokenizedText row = EncoderTokenizer.Create(EncoderModel.Load(folder.Path)).Tokenize(Sentences[1], null);
        float[] compressed = TorchVectors(model, row, 1, null);
        using var noGrad = no_grad();
        using var inputs = global::MLNetExt.Trainers.Contrastive.EncoderInputs.From(TokenizedBatch.Pad([row]));
        float[] states = bert.forward(inputs.InputIds, inputs.AttentionMask, inputs.TokenTypeIds).data<float>().ToArray();
        float[] wordPieces = states[16..^16];
        Assert.AreEqual(wordPieces.Length, compressed.Length);
        for (int i = 0; i < wordPieces.Length; i++)
            Assert.AreEqual(wordPieces[i], compressed[i], 1e-5f, $"value {i}");
    }

    [TestMethod]
    public void SavedWithEncoders_AndAsAFolder_ServesTheSameVectors()
    {
        using var folder = new TempFolder("arc-save");
        (EncoderModel encoder, BertWeights weights) = TinyEncoder(folder, 7);
        using ContextCompressorModel model = PerturbedCompressor(weights);
        using LearnedContextCompressor compressor = model.Export(encoder, 4, "test compressor");

        var mlContext = new MLContext(seed: 1);
        var estimator = mlContext.Transforms.Text.CompressContext(new CompressContextOptions
        {
            Method = ContextCompressionMethod.Learned, Compressor = compressor, Ratio = 2,
        });
        var invalid = mlContext.Data.LoadFromEnumerable(new[] { new NumberRow { Text = 1 } });
        ITransformer fitted = EstimatorWorkout.Run(mlContext, estimator, Texts(mlContext, Sentences), invalid,
            typeof(ArgumentOutOfRangeException), "Schema mismatch for input column 'Text'", TextEncoderTransformTests.EncoderRoundTrip);
        fitted.DisposeEncoders();

        string saved = folder.Combine("compressor");
        compressor.Save(saved);
        using LearnedContextCompressor loaded = LearnedContextCompressor.Load(saved);
        Assert.AreEqual(4, loaded.TrainedRatio);
        Assert.AreEqual(12, loaded.Dimension);
        var states = new float[9 * 16];
        for (int i = 0; i < states.Length; i++)
            states[i] = MathF.Sin(i * 0.37f);
        CollectionAssert.AreEqual(compressor.Compress(states, 2), loaded.Compress(states, 2));
        Assert.AreEqual(4 * 12, loaded.Compress(states, 2).Length); // 7 word pieces -> 4 vectors

        File.Delete(Path.Combine(saved, LearnedContextCompressor.GraphFileName));
        var missing = Assert.ThrowsExactly<FileNotFoundException>(() => LearnedContextCompressor.Load(saved));
        StringAssert.Contains(missing.Message, "without compressor.onnx");
        loaded.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => loaded.Compress(states, 2));
    }

    [TestMethod]
    public void LateInteractionLoss_EqualsTheHandComputedValue()
    {
        // Query 0 has two tokens, query 1 one (plus padding); document 0 has two vectors, document 1 one (plus a padding
        // vector that would match query 0's second token perfectly if it were not masked).
        using Tensor queries = tensor(new float[] { 1, 0, 0, 1, 1, 0, 5, 5 }, [2, 2, 2]);
        using Tensor queryMask = tensor(new float[] { 1, 1, 1, 0 }, [2, 2]);
        using Tensor documents = tensor(new float[] { 2, 0, 0, 3, 1, 1, 0, 1 }, [2, 2, 2]);
        using Tensor documentMask = tensor(new float[] { 1, 1, 1, 0 }, [2, 2]);
        using Tensor scores = LateInteractionLoss.Scores(queries, queryMask, documents, documentMask);
        float[] s = scores.data<float>().ToArray();
        double half = Math.Sqrt(0.5);
        double[] expectedScores = [1, half, 1, half]; // [query, document]
        for (int i = 0; i < 4; i++)
            Assert.AreEqual(expectedScores[i], s[i], 1e-5, $"score {i}");

        using Tensor loss = new LateInteractionLoss(20).Forward(queries, queryMask, documents, documentMask);
        double gap = 20 * (1 - half);
        double expected = (Math.Log(1 + Math.Exp(-gap)) + Math.Log(1 + Math.Exp(gap))) / 2;
        Assert.AreEqual(expected, loss.item<float>(), 1e-5);
    }

    [TestMethod]
    public void TrainingLowersTheLoss_OnATinyModel_AndFitServesTheResult()
    {
        using var folder = new TempFolder("arc-train");
        (EncoderModel encoder, _) = TinyEncoder(folder, 11);
        string path = SharedData.RequireFile("stsb", "dev.tsv");
        var pairs = File.ReadLines(path).Skip(1).Take(16).Select(l => l.Split('\t')).Select(f => (f[7], f[8])).ToArray();
        var mlContext = new MLContext(seed: 1);
        var trainer = mlContext.Transforms.Text.TrainContextCompressor(new ContextCompressorTrainingOptions
        {
            Model = encoder, Ratio = 2, ProjectorInnerSize = 24,
            Training = new TrainingOptions { BatchSize = 8, Epochs = 10, LearningRate = 3e-3, WarmupFraction = 0 },
        });
        ContextCompressorTrainingResult result = trainer.Train(pairs);
        using LearnedContextCompressor compressor = result.Compressor;
        Assert.AreEqual(20, result.Training.Steps);
        Assert.IsLessThan(result.InitialLoss * 0.8, result.FinalLoss, $"loss {result.InitialLoss:F4} -> {result.FinalLoss:F4}");
        Assert.AreEqual(2, compressor.TrainedRatio);

        var data = mlContext.Data.LoadFromEnumerable(pairs.Select(p => new QueryDocument { Query = p.Item1, Document = p.Item2 }).ToArray());
        CompressContextTransformer fitted = mlContext.Transforms.Text.TrainContextCompressor(new ContextCompressorTrainingOptions
        {
            Model = encoder, Ratio = 4, ProjectorInnerSize = 24, Training = new TrainingOptions { BatchSize = 8, Epochs = 1 },
        }).Fit(data);
        Assert.AreEqual(ContextCompressionMethod.Learned, fitted.Method);
        Assert.AreEqual("Document", fitted.InputColumnName);
        Assert.AreEqual(16, ReadVectors(fitted.Transform(data), "Vectors").Count);
        fitted.Dispose();
    }

    [TestMethod]
    public void BadInput_RatioEmptyTextOverlongTextAndMissingCompressor_SayWhatIsWrong()
    {
        var mlContext = new MLContext(seed: 1);
        using var folder = new TempFolder("arc-bad");
        (EncoderModel encoder, BertWeights weights) = TinyEncoder(folder, 13);
        var ratio = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            mlContext.Transforms.Text.TrainContextCompressor(new ContextCompressorTrainingOptions { Model = encoder, Ratio = 3 }));
        StringAssert.Contains(ratio.Message, "must be 1, 2, 4 or 8; got 3");

        var trainer = mlContext.Transforms.Text.TrainContextCompressor(new ContextCompressorTrainingOptions { Model = encoder, MaxTokens = 8 });
        var empty = Assert.ThrowsExactly<ArgumentException>(() => trainer.Train([("a query", "a document"), ("  ", "another document")]));
        StringAssert.Contains(empty.Message, "Training pair 1: the query is empty or blank");
        var tooLong = Assert.ThrowsExactly<ArgumentException>(() => trainer.Train([("a query", "a document"), ("q", "one two three four five six seven eight")]));
        StringAssert.Contains(tooLong.Message, "Training pair 1: the document is longer than 8 word pieces");
        var one = Assert.ThrowsExactly<ArgumentException>(() => trainer.Train([("a query", "a document")]));
        StringAssert.Contains(one.Message, "at least 2 training pairs");

        var noCompressor = Assert.ThrowsExactly<ArgumentException>(() =>
            mlContext.Transforms.Text.CompressContext(new CompressContextOptions { Method = ContextCompressionMethod.Learned, Model = encoder }));
        StringAssert.Contains(noCompressor.Message, "Method Learned needs a trained compressor");
        var oneLayer = Assert.ThrowsExactly<ArgumentException>(() => ContextCompressorModel.FromEncoder(weights.KeepLayers([0])));
        StringAssert.Contains(oneLayer.Message, "it needs at least 2");
        var mean = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ContextPooling.Compress(new float[16], 16, ContextCompressionMethod.Learned, 1));
        StringAssert.Contains(mean.Message, "LearnedContextCompressor");
    }

    [TestMethod]
    public void Reconstruction_LearnsToRebuildTexts_AndReportsTokenAccuracy()
    {
        using var folder = new TempFolder("arc-reconstruct");
        (EncoderModel encoder, _) = TinyEncoder(folder, 17);
        string[] texts = TrainerTestData.StsbSentences(24);
        var mlContext = new MLContext(seed: 1);
        ContextReconstructionResult Run(int epochs) => mlContext.Transforms.Text.TrainContextReconstruction(new ContextReconstructionOptions
        {
            Model = encoder, Ratio = 2, MaxTokens = 48, TruncateLongText = true, DecoderSize = 32, DecoderLayers = 1, DecoderHeads = 2, TrainEncoder = true,
            Training = new TrainingOptions { BatchSize = 8, Epochs = epochs, LearningRate = 3e-3, WarmupFraction = 0 },
        }).Train(texts, texts);
        ContextReconstructionResult brief = Run(1), longer = Run(25);
        Assert.AreEqual(2, longer.Ratio);
        Assert.AreEqual(24, longer.HeldOutTexts);
        Assert.IsGreaterThan(24, longer.HeldOutTokens);
        Assert.IsGreaterThan(brief.TokenAccuracy + 0.2, longer.TokenAccuracy, $"token accuracy after 1 epoch {brief.TokenAccuracy:P1}, after 25 {longer.TokenAccuracy:P1}");

        var bad = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            mlContext.Transforms.Text.TrainContextReconstruction(new ContextReconstructionOptions { Model = encoder, Ratio = 5 }));
        StringAssert.Contains(bad.Message, "got 5");
        string file = folder.Combine("texts.tsv");
        File.WriteAllText(file, "id\tsentence\n1\tfine\n");
        var missing = Assert.ThrowsExactly<InvalidDataException>(() => ContextReconstructionRun.ReadColumn(file, "sentence1", null));
        StringAssert.Contains(missing.Message, "line 1: no column 'sentence1'");
    }

    [TestMethod]
    public void ReconstructionBaseline_GivesTheDecoderNothingOfTheText()
    {
        using var folder = new TempFolder("arc-zero");
        (EncoderModel encoder, BertWeights weights) = TinyEncoder(folder, 5);
        var tokenizer = EncoderTokenizer.Create(encoder, 32);
        TokenizedText[] rows = Sentences.Select(s => tokenizer.Tokenize(s, null)).ToArray();
        float[] FirstPositionLogits(bool zeroVectors)
        {
            torch.manual_seed(2);
            using var model = new ContextReconstructionModel(PerturbedCompressor(weights), new ReconstructionDecoder(Tiny.VocabSize, 32, 12, 16, 1, 2, 0), zeroVectors);
            model.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using CompressedSide batch = CompressedSide.Create(rows, 2);
            // Position 0 reads only [CLS] (the same in every text) and the vectors.
            return model.Logits(batch).select(1, 0).contiguous().data<float>().ToArray();
        }
        float[] read = FirstPositionLogits(false), blind = FirstPositionLogits(true);
        int vocabulary = Tiny.VocabSize;
        double Spread(float[] logits) => Enumerable.Range(1, rows.Length - 1)
            .Max(r => Enumerable.Range(0, vocabulary).Max(v => Math.Abs(logits[r * vocabulary + v] - logits[v])));
        Assert.IsGreaterThan(1e-3, Spread(read), "with the compressor's vectors, texts differ at the first position");
        Assert.AreEqual(0, Spread(blind), 1e-6, "with zero vectors, every text looks the same at the first position");

        var mlContext = new MLContext(seed: 1);
        string[] texts = TrainerTestData.StsbSentences(16);
        ContextReconstructionResult baseline = mlContext.Transforms.Text.TrainContextReconstruction(new ContextReconstructionOptions
        {
            Model = encoder, Ratio = 4, ZeroVectors = true, MaxTokens = 48, TruncateLongText = true, DecoderSize = 16, DecoderLayers = 1, DecoderHeads = 2,
            Training = new TrainingOptions { BatchSize = 8, Epochs = 1, LearningRate = 1e-3 },
        }).Train(texts, texts);
        Assert.IsTrue(baseline.ZeroVectors);
        Assert.AreEqual(16, baseline.HeldOutTexts);
        Assert.IsTrue(baseline.FirstTokenAccuracy is >= 0 and <= 1, $"first word piece accuracy {baseline.FirstTokenAccuracy}");
    }

    [TestMethod]
    public void ReconstructionDecoder_KnowsWhichVectorComesFirst()
    {
        // Without positions of its own, cross-attention over the vectors is blind to their order; the decoder must see
        // that the first vector holds the first words.
        torch.manual_seed(3);
        using var decoder = new ReconstructionDecoder(50, 16, memorySize: 6, hiddenSize: 8, layerCount: 1, heads: 2, dropout: 0);
        decoder.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor ids = tensor(new long[] { 1, 7, 9 }, [1, 3]);
        Tensor mask = ones(1, 3, dtype: ScalarType.Int64);
        Tensor vectors = randn(1, 2, 6);
        Tensor swapped = vectors.flip(1);
        float[] inOrder = decoder.forward(ids, mask, vectors, ones(1, 2)).data<float>().ToArray();
        float[] reversed = decoder.forward(ids, mask, swapped, ones(1, 2)).data<float>().ToArray();
        double difference = inOrder.Select((v, i) => Math.Abs(v - reversed[i])).Max();
        Assert.IsGreaterThan(1e-4, difference, "swapping the two vectors should change the predictions");
    }

    [TestMethod]
    public void Cli_RefusesBadRatiosAndACompressorWithoutMultiVector()
    {
        CliResult result = CliRunner.RunCaptured("train", "context-compressor", "--data", "scifact", "--ratio", "3");
        Assert.AreNotEqual(0, result.Code);
        StringAssert.Contains(result.Output + result.Error, "--ratio must be 1, 2, 4 or 8, got 3");
        result = CliRunner.RunCaptured("train", "context-reconstruction", "--train", "a.tsv", "--eval", "b.tsv", "--ratio", "4,6");
        Assert.AreNotEqual(0, result.Code);
        StringAssert.Contains(result.Output + result.Error, "--ratio expects 1, 2, 4 or 8 separated by commas, got '4,6'");
        result = CliRunner.RunCaptured("eval", "beir", "--data", "scifact", "--compressor", "folder");
        Assert.AreNotEqual(0, result.Code);
        StringAssert.Contains(result.Output + result.Error, "--compressor needs --multi-vector");
    }

    private sealed class QueryDocument
    {
        public string Query { get; set; } = "";

        public string Document { get; set; } = "";
    }
}
