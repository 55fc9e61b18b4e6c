using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms;
using MLNetExt.UnitTests.Infrastructure;
using static MLNetExt.UnitTests.Transforms.EncoderTestModels;

namespace MLNetExt.UnitTests.Transforms;

[TestClass]
public sealed class TextEncoderTransformTests
{
    private static readonly string[] Sentences =
    {
        "A man is playing a guitar.",
        "A woman is slicing an onion into small pieces on a wooden board.",
        "Stocks fell.",
        "The quick brown fox jumps over the lazy dog while the farmer watches from the porch of the old house.",
        "",
        "Café déjà vu",
    };

    /// <summary>The save/load route of the workout: MLNetExt's pipeline file, in memory.</summary>
    internal static ITransformer EncoderRoundTrip(MLContext mlContext, ITransformer model, DataViewSchema inputSchema)
    {
        using var stream = new MemoryStream();
        mlContext.Model.SaveWithEncoders(model, inputSchema, stream);
        stream.Position = 0;
        return mlContext.Model.LoadWithEncoders(stream, out _);
    }

    [TestMethod]
    public void Workout_SchemaSaveLoadAndWrongInput()
    {
        var mlContext = new MLContext(seed: 1);
        var estimator = mlContext.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            OutputColumnName = "Embedding",
            InputColumnName = "Text",
            Model = MiniLM,
            TokenEmbeddingsColumnName = "Tokens",
            TokenMaskColumnName = "Mask",
            WordPiecesColumnName = "Pieces",
        });
        var invalid = mlContext.Data.LoadFromEnumerable(new[] { new NumberRow { Text = 1 } });
        var fitted = EstimatorWorkout.Run(mlContext, estimator, Texts(mlContext, Sentences), invalid,
            typeof(ArgumentOutOfRangeException), "Schema mismatch for input column 'Text': expected String, got Single",
            EncoderRoundTrip);
        Assert.AreEqual(384, ((TextEncoderTransformer)fitted).Dimension);
        fitted.DisposeEncoders();
    }

    [TestMethod]
    public void UseAfterDispose_ThrowsInsteadOfCrashing()
    {
        var mlContext = new MLContext();
        var data = Texts(mlContext, "A man is playing a guitar.", "Stocks fell.");
        var fitted = mlContext.Transforms.Text.EncodeText("Embedding", "Text", MiniLM).Fit(data);
        IDataView made = fitted.Transform(data);    // a view made before the transformer was disposed
        fitted.Dispose();
        fitted.Dispose();                           // twice is harmless

        Assert.ThrowsExactly<ObjectDisposedException>(() => fitted.Transform(data));
        Assert.ThrowsExactly<ObjectDisposedException>(() => fitted.GetRowToRowMapper(data.Schema));
        var ex = Assert.ThrowsExactly<ObjectDisposedException>(() => made.GetColumn<float[]>("Embedding").ToList());
        StringAssert.Contains(ex.Message, "fit or load the pipeline again");
    }

    [TestMethod]
    public void MissingColumn_IsReportedInMLNetWords()
    {
        var mlContext = new MLContext();
        var estimator = mlContext.Transforms.Text.EncodeText("Embedding", "Sentence", MiniLM);
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(Texts(mlContext, "x")));
        StringAssert.Contains(ex.Message, "Could not find input column 'Sentence'");
    }

    [TestMethod]
    public void Batched_EqualsOneRowAtATime_AndKeepsRowOrder()
    {
        var mlContext = new MLContext();
        var data = Texts(mlContext, Sentences);
        var batched = mlContext.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            OutputColumnName = "Embedding", InputColumnName = "Text", Model = MiniLM, BatchSize = 4, SortWindow = 5,
        }).Fit(data);
        List<float[]> vectors = ReadVectors(batched.Transform(data), "Embedding");
        Assert.HasCount(Sentences.Length, vectors);

        var engine = mlContext.Model.CreatePredictionEngine<TextRow, EmbeddingRow>(batched);
        for (int i = 0; i < Sentences.Length; i++)
        {
            float[] single = engine.Predict(new TextRow { Text = Sentences[i] }).Embedding;
            Assert.IsGreaterThan(0.99999, Cosine(vectors[i], single), $"Row {i} ('{Sentences[i]}') differs between batched and single-row encoding.");
            Assert.AreEqual(1.0, Norm(single), 1e-5, "MiniLM vectors are normalised.");
        }
        Assert.IsLessThan(0.9, Cosine(vectors[0], vectors[2]), "Different sentences must give different vectors.");
    }

    [TestMethod]
    public void EmptyText_EncodesAsClsSep_AndLongText_IsCutAndLogged()
    {
        var mlContext = new MLContext();
        var log = new List<string>();
        mlContext.Log += (_, e) => { lock (log) log.Add(e.Message); };
        string longText = string.Join(" ", Enumerable.Repeat("encoder", 600));
        var data = Texts(mlContext, "", longText, "short");
        var transformer = mlContext.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            OutputColumnName = "Embedding", InputColumnName = "Text", Model = MiniLM, WordPiecesColumnName = "Pieces",
        }).Fit(data);
        IDataView output = transformer.Transform(data);
        List<string[]> pieces = ReadTexts(output, "Pieces");
        CollectionAssert.AreEqual(new[] { "[CLS]", "[SEP]" }, pieces[0]);
        Assert.HasCount(256, pieces[1], "Long text is cut to MaxTokens word pieces.");
        Assert.AreEqual("[SEP]", pieces[1][^1]);

        List<float[]> vectors = ReadVectors(output, "Embedding");
        Assert.IsTrue(vectors[0].All(float.IsFinite));
        Assert.AreEqual(1.0, Norm(vectors[0]), 1e-5);
        Assert.AreEqual(2, transformer.TruncatedRowCount, "The long row is counted once per cursor that encoded it (two cursors read).");
        lock (log)
            Assert.IsTrue(log.Any(m => m.Contains("1 of 3 rows were longer than 256 tokens and were cut")), "The cut is logged.");
    }

    [TestMethod]
    public void PoolingModes_AgreeWithTheTokenVectors()
    {
        var mlContext = new MLContext();
        var data = Texts(mlContext, "A man is playing a guitar.");
        List<float[]> tokens = null!;
        var pooled = new Dictionary<EncoderPooling, float[]>();
        foreach (EncoderPooling pooling in Enum.GetValues<EncoderPooling>())
        {
            var transformer = mlContext.Transforms.Text.EncodeText(new TextEncoderOptions
            {
                OutputColumnName = "Embedding", InputColumnName = "Text", Model = MiniLM,
                Pooling = pooling, Normalize = false, TokenEmbeddingsColumnName = "Tokens",
            }).Fit(data);
            var output = transformer.Transform(data);
            pooled[pooling] = ReadVectors(output, "Embedding")[0];
            tokens = ReadVectors(output, "Tokens");
        }
        float[] flat = tokens[0];
        int hidden = 384, n = flat.Length / hidden;
        Assert.AreEqual(0, flat.Length % hidden);
        for (int d = 0; d < hidden; d += 37)
        {
            var column = Enumerable.Range(0, n).Select(t => flat[t * hidden + d]).ToArray();
            Assert.AreEqual(column[0], pooled[EncoderPooling.Cls][d], 1e-6, "CLS pooling takes token 0.");
            Assert.AreEqual(column.Max(), pooled[EncoderPooling.Max][d], 1e-6, "Max pooling.");
            Assert.AreEqual(column.Average(), pooled[EncoderPooling.Mean][d], 1e-5, "Mean pooling.");
            Assert.AreEqual(column.Sum() / Math.Sqrt(n), pooled[EncoderPooling.MeanSqrtLen][d], 1e-4, "MeanSqrtLen pooling.");
        }
    }

    [TestMethod]
    public void PairColumn_AndPrefix_ShapeTheWordPieces()
    {
        var mlContext = new MLContext();
        var data = mlContext.Data.LoadFromEnumerable(new[] { new PairRow { Text = "Is it raining?", Other = "It rains." } });
        var transformer = mlContext.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            OutputColumnName = "Embedding", InputColumnName = "Text", PairColumnName = "Other", Model = ArcticXs,
            Prefix = ArcticXs.Config.QueryPrefix, WordPiecesColumnName = "Pieces", TokenMaskColumnName = "Mask",
        }).Fit(data);
        var output = transformer.Transform(data);
        string[] pieces = ReadTexts(output, "Pieces")[0];
        Assert.AreEqual("[CLS]", pieces[0]);
        Assert.AreEqual("represent", pieces[1], "The prefix comes first.");
        int firstSep = Array.IndexOf(pieces, "[SEP]");
        Assert.AreEqual("it", pieces[firstSep + 1], "The pair follows the first [SEP].");
        Assert.AreEqual("[SEP]", pieces[^1]);
        float[] mask = ReadVectors(output, "Mask")[0];
        Assert.AreEqual(pieces.Length - 3, (int)mask.Sum(), "Mask is 0 on [CLS] and both [SEP].");
        Assert.AreEqual(0f, mask[firstSep]);
    }

    [TestMethod]
    public void NonEncoderGraph_AndCorruptFile_AreExplained()
    {
        using var folder = new TempFolder();
        File.Copy(MiniLM.VocabularyPath, folder.Combine("vocab.txt"));
        File.Copy(Path.Combine(MiniLM.Directory!, "config.json"), folder.Combine("config.json"));
        var mlContext = new MLContext();
        var data = Texts(mlContext, "hello");

        File.WriteAllBytes(folder.Combine("model.onnx"), TinyOnnxGraphs.Identity());
        var notEncoder = Assert.ThrowsExactly<InvalidDataException>(() =>
            mlContext.Transforms.Text.EncodeText("Embedding", "Text", EncoderModel.Load(folder.Path)).Fit(data));
        StringAssert.Contains(notEncoder.Message, "does not look like a text encoder");
        StringAssert.Contains(notEncoder.Message, "input_ids");
        StringAssert.Contains(notEncoder.Message, "got inputs x (Single");

        File.WriteAllBytes(folder.Combine("model.onnx"), new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        var corrupt = Assert.ThrowsExactly<InvalidDataException>(() =>
            mlContext.Transforms.Text.EncodeText("Embedding", "Text", EncoderModel.Load(folder.Path)).Fit(data));
        StringAssert.Contains(corrupt.Message, folder.Combine("model.onnx"));
    }

    [TestMethod]
    public void MixedPipeline_SavesToOneFile_AndLoadsWithIdenticalScores()
    {
        var mlContext = new MLContext(seed: 7);
        var rows = Enumerable.Range(0, 24).Select(i => new LabeledRow
        {
            Text = i % 2 == 0 ? $"a wonderful, moving film number {i}" : $"a dull and tedious mess number {i}",
            Label = i % 2 == 0,
        }).ToArray();
        var data = mlContext.Data.LoadFromEnumerable(rows);
        var pipeline = mlContext.Transforms.Text.EncodeText("Embedding", "Text", MiniLM)
            .Append(mlContext.Transforms.Concatenate("Features", "Embedding"))
            .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 5));
        var model = pipeline.Fit(data);

        var stock = Assert.ThrowsExactly<NotSupportedException>(() => mlContext.Model.Save(model, data.Schema, new MemoryStream()));
        StringAssert.Contains(stock.Message, "mlContext.Model.SaveWithEncoders");

        using var folder = new TempFolder();
        string path = folder.Combine("pipeline.zip");
        mlContext.Model.SaveWithEncoders(model, data.Schema, path);
        ITransformer loaded = new MLContext().Model.LoadWithEncoders(path, out DataViewSchema schema);
        Assert.AreEqual(data.Schema.Count, schema.Count);

        float[] before = mlContext.Data.CreateEnumerable<ScoreRow>(model.Transform(data), false).Select(r => r.Score).ToArray();
        float[] after = mlContext.Data.CreateEnumerable<ScoreRow>(loaded.Transform(data), false).Select(r => r.Score).ToArray();
        CollectionAssert.AreEqual(before, after);

        string junk = folder.Combine("junk.zip");
        File.WriteAllText(junk, "not a zip");
        var notOurs = Assert.ThrowsExactly<InvalidDataException>(() => mlContext.Model.LoadWithEncoders(junk, out _));
        StringAssert.Contains(notOurs.Message, junk);
    }

    [TestMethod]
    public void Cancellation_StopsBeforeTheNextBatch()
    {
        var mlContext = new MLContext();
        var data = Texts(mlContext, Sentences);
        var transformer = mlContext.Transforms.Text.EncodeText("Embedding", "Text", MiniLM).Fit(data);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsExactly<OperationCanceledException>(() => ReadVectors(transformer.Transform(data, cancelled.Token), "Embedding"));
    }

    [TestMethod]
    public void GpuRequested_WithoutCudaRuntime_FallsBackToCpuAndSaysSo()
    {
        var mlContext = new MLContext { GpuDeviceId = 0 };
        var log = new List<string>();
        mlContext.Log += (_, e) => { lock (log) log.Add(e.Message); };
        var transformer = mlContext.Transforms.Text.EncodeText("Embedding", "Text", MiniLM).Fit(Texts(mlContext, "x"));
        if (transformer.ExecutionProvider.StartsWith("CUDA", StringComparison.Ordinal))
            Assert.Inconclusive("This machine has ONNX Runtime's CUDA provider; the CPU fallback cannot be observed here.");
        Assert.AreEqual("CPU", transformer.ExecutionProvider);
        lock (log)
            Assert.IsTrue(log.Any(m => m.Contains("EncodeText runs on the CPU")), "The fallback is logged.");
    }

    public sealed class EmbeddingRow
    {
        [VectorType(384)]
        public float[] Embedding { get; set; } = Array.Empty<float>();
    }

    public sealed class LabeledRow
    {
        public string Text { get; set; } = "";

        public bool Label { get; set; }
    }

    public sealed class ScoreRow
    {
        public float Score { get; set; }
    }
}
