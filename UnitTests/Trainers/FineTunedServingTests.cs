using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>The fine-tuned transformer serves through EncodeText's inference stack: same tokens, cancellation.</summary>
[TestClass]
public sealed class FineTunedServingTests
{
    private const int MaxTokens = 12;
    private static string _encoderFolder = "";

    private sealed class PairRow
    {
        public string Sentence { get; set; } = "";
        public string Sentence2 { get; set; } = "";
        public string Label { get; set; } = "";
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }

    [ClassInitialize]
    public static void WriteTinyEncoder(TestContext context) =>
        _encoderFolder = TinyFineTuning.WriteEncoderFolder("mlnetext-fine-tuned-serving", seed: 5);

    [ClassCleanup]
    public static void DeleteTinyEncoder()
    {
        if (Directory.Exists(_encoderFolder))
            Directory.Delete(_encoderFolder, recursive: true);
    }

    private static (MLContext Ml, IDataView Data, PairRow[] Rows, EncoderFineTuningTransformer Model) FitPairClassifier()
    {
        var ml = new MLContext(seed: 1);
        string[][] fields = File.ReadLines(Path.Combine(SharedData.Require("sst2"), "train.tsv")).Skip(1).Take(33)
            .Select(l => l.Split('\t')).ToArray();
        // Pairs of consecutive reviews: long enough that most rows are cut at MaxTokens, from one side or both.
        PairRow[] rows = fields.Zip(fields.Skip(1), (a, b) => new PairRow { Sentence = a[0], Sentence2 = b[0], Label = a[1] }).ToArray();
        rows[0].Sentence2 = "";
        IDataView data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var options = new EncoderFineTuningOptions
        {
            Encoder = EncoderModel.Load(_encoderFolder), SentenceColumnName = "Sentence", SecondSentenceColumnName = "Sentence2", MaxTokens = MaxTokens,
            Training = new TrainingOptions { BatchSize = 8, Epochs = 1, LearningRate = 1e-3 },
        };
        return (ml, data, rows, ml.MulticlassClassification.Trainers.EncoderTextClassification(options).Fit(data));
    }

    [TestMethod]
    public void FineTunedClassifierTokenisesExactlyAsEncodeText()
    {
        (MLContext ml, IDataView data, PairRow[] rows, EncoderFineTuningTransformer fineTuned) = FitPairClassifier();
        EncoderFineTuningTransformer trained = fineTuned;
        using var endTrained = Owned.Ends(trained);
        string file = Path.Combine(_encoderFolder, "pair-classifier.zip");
        trained.Save(file);
        EncoderFineTuningTransformer loaded = EncoderFineTuningTransformer.Load(new MLContext(), file);
        using var endLoaded = Owned.Ends(loaded);

        TextEncoderTransformer encodeText = ml.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            OutputColumnName = "Embedding", InputColumnName = "Sentence", PairColumnName = "Sentence2", Model = EncoderModel.Load(_encoderFolder),
            MaxTokens = MaxTokens, WordPiecesColumnName = "Pieces",
        }).Fit(data);
        string[][] pieces = encodeText.Transform(data).GetColumn<VBuffer<ReadOnlyMemory<char>>>("Pieces")
            .Select(v => v.DenseValues().Select(p => p.ToString()).ToArray()).ToArray();
        Assert.AreEqual(rows.Length, pieces.Length);

        // What training read: the rows the trainer tokenises, with the tokenizer it builds from the options.
        EncoderTokenizer trainingTokenizer = EncoderTokenizer.Create(EncoderModel.Load(_encoderFolder), MaxTokens);
        var options = new EncoderFineTuningOptions { SentenceColumnName = "Sentence", SecondSentenceColumnName = "Sentence2" };
        FineTuningRows training = FineTuningData.Read(data, options, FineTuningKind.Classification, trainingTokenizer, "training data");
        Assert.AreEqual(rows.Length, training.Rows.Count, "every row has a label");

        int truncated = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            TokenizedText reference = encodeText.Serving.Tokenizer.Tokenize(rows[i].Sentence.AsSpan(), rows[i].Sentence2.AsSpan());
            TokenizedText served = trained.Serving.Tokenizer.Tokenize(rows[i].Sentence.AsSpan(), rows[i].Sentence2.AsSpan());
            TokenizedText reloaded = loaded.Serving.Tokenizer.Tokenize(rows[i].Sentence.AsSpan(), rows[i].Sentence2.AsSpan());
            CollectionAssert.AreEqual(reference.Ids, served.Ids, $"row {i}: serving ids");
            CollectionAssert.AreEqual(reference.Ids, reloaded.Ids, $"row {i}: ids after Save/Load");
            CollectionAssert.AreEqual(reference.Ids, training.Rows[i].Ids, $"row {i}: training ids");
            Assert.AreEqual(reference.FirstSegmentLength, served.FirstSegmentLength, $"row {i}: segment boundary");
            Assert.AreEqual(reference.FirstSegmentLength, training.Rows[i].FirstSegmentLength, $"row {i}: training segment boundary");
            CollectionAssert.AreEqual(pieces[i], served.Ids.Select(trained.Serving.Tokenizer.Piece).ToArray(), $"row {i}: EncodeText's word pieces");
            Assert.IsLessThanOrEqualTo(MaxTokens, served.Length);
            truncated += served.Truncated ? 1 : 0;
        }
        Assert.IsGreaterThan(rows.Length / 2, truncated, "most pairs are cut, so the truncation rule is exercised");
        Assert.AreEqual(truncated, encodeText.TruncatedRowCount, "EncodeText counted the same rows as cut");
        encodeText.Dispose();
        File.Delete(file);
    }

    [TestMethod]
    public void FineTunedTransformServesInSortedBatchesAndStopsWhenCancelled()
    {
        (MLContext ml, IDataView data, _, EncoderFineTuningTransformer fineTuned) = FitPairClassifier();
        EncoderFineTuningTransformer model = fineTuned;
        using var endModel = Owned.Ends(model);
        float[][] batched = model.Transform(data).GetColumn<float[]>("Score").ToArray();
        Assert.AreEqual(32L, model.Serving.EncodedRowCount);
        float[][] direct = model.Predict(
            data.GetColumn<string>("Sentence").ToArray(), data.GetColumn<string>("Sentence2").ToArray());
        for (int i = 0; i < batched.Length; i++)
            CollectionAssert.AreEqual(direct[i], batched[i], $"row {i}");

        // ML.NET's engine disposes its pipeline by default; the fine-tuned model's owner alone ends it.
        var first = new PairRow { Sentence = data.GetColumn<string>("Sentence").First(), Sentence2 = data.GetColumn<string>("Sentence2").First() };
        for (int round = 0; round < 2; round++)
        {
            using var engine = ml.Model.CreatePredictionEngine<PairRow, ScoreRow>(model);
            float[] single = engine.Predict(first).Score;
            Assert.HasCount(direct[0].Length, single);
            for (int c = 0; c < single.Length; c++)
                Assert.AreEqual(direct[0][c], single[c], 1e-4f, $"engine {round + 1}, class {c}");
        }
        Assert.IsFalse(model.IsDisposed, "disposing engines leaves the fine-tuned model alive");

        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        Assert.ThrowsExactly<OperationCanceledException>(() => model.Transform(data, cancellation.Token).GetColumn<float[]>("Score").ToArray());

        model.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => model.Transform(data));
    }

    [TestMethod]
    public void RuntimeCopiesServeTheSameClassifierInt8OrSingleThreaded()
    {
        (_, IDataView data, _, EncoderFineTuningTransformer fineTuned) = FitPairClassifier();
        using var endModel = Owned.Ends(fineTuned);
        string[] first = data.GetColumn<string>("Sentence").ToArray(), second = data.GetColumn<string>("Sentence2").ToArray();
        float[][] fp32 = fineTuned.Predict(first, second);

        EncoderFineTuningTransformer oneThread = fineTuned.WithRuntime(new FineTunedRuntimeOptions { IntraOpThreads = 1 });
        using var endOneThread = Owned.Ends(oneThread);
        float[][] single = oneThread.Predict(first, second);
        EncoderFineTuningTransformer int8 = fineTuned.WithRuntime(new FineTunedRuntimeOptions { Int8 = true });
        using var endInt8 = Owned.Ends(int8);
        float[][] quantized = int8.Predict(first, second);
        double largest = 0;
        for (int i = 0; i < fp32.Length; i++)
        {
            for (int c = 0; c < fp32[i].Length; c++)
            {
                Assert.AreEqual(fp32[i][c], single[i][c], 1e-5f, $"one thread, row {i}");
                largest = Math.Max(largest, Math.Abs(fp32[i][c] - quantized[i][c]));
            }
        }
        Assert.IsTrue(largest < 0.05, $"int8 probabilities stay within 0.05 of fp32 (largest gap {largest})");
        Assert.IsTrue(largest > 0, "the int8 copy runs another graph");
        CollectionAssert.AreEqual(fp32[0], fineTuned.Predict(first, second)[0], "the model copied is unchanged");
        Assert.AreEqual(fineTuned.ClassCount, int8.ClassCount);

        Assert.ThrowsExactly<InvalidDataException>(() => int8.WithRuntime(new FineTunedRuntimeOptions { Int8 = true }).Dispose());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => fineTuned.WithRuntime(new FineTunedRuntimeOptions { IntraOpThreads = 0 }));
    }

    [TestMethod]
    public void TextModelFileReadsEachKindOfModelFileAndNamesItsColumns()
    {
        (MLContext ml, IDataView data, _, EncoderFineTuningTransformer fineTuned) = FitPairClassifier();
        using var endModel = Owned.Ends(fineTuned);
        string folder = Path.Combine(_encoderFolder, "model-files");
        Directory.CreateDirectory(folder);
        string[] first = data.GetColumn<string>("Sentence").ToArray(), second = data.GetColumn<string>("Sentence2").ToArray();

        string zip = Path.Combine(folder, "fine-tuned.zip");
        fineTuned.Save(zip);
        using (TextModelFile file = TextModelFile.Load(ml, zip))
        {
            Assert.AreEqual(TextModelFileKind.FineTunedEncoder, file.Kind);
            Assert.AreEqual("Sentence", file.TextColumnName);
            Assert.AreEqual("Sentence2", file.PairColumnName);
            Assert.AreEqual("Score", file.ScoreColumnName);
            Assert.IsNull(file.InputSchema);
            StringAssert.Contains(file.Description, zip);
            CollectionAssert.AreEqual(fineTuned.Predict(first, second)[3], ((EncoderFineTuningTransformer)file.Model).Predict(first, second)[3]);
        }
        using (TextModelFile int8 = TextModelFile.Load(ml, zip, new FineTunedRuntimeOptions { Int8 = true }))
            StringAssert.Contains(int8.Description, "int8");

        string pipeline = Path.Combine(folder, "pipeline.zip");
        ml.Model.SaveWithEncoders(fineTuned, data.Schema, pipeline);
        using (TextModelFile file = TextModelFile.Load(ml, pipeline))
        {
            Assert.AreEqual(TextModelFileKind.EncoderPipeline, file.Kind);
            Assert.AreEqual("Sentence", file.TextColumnName, "the first text column of the saved input schema");
            Assert.IsNotNull(file.InputSchema);
        }

        string stock = Path.Combine(folder, "stock.zip");
        ITransformer featurize = ml.Transforms.Text.FeaturizeText("Features", "Sentence2").Fit(data);
        ml.Model.Save(featurize, data.Schema, stock);
        using (TextModelFile file = TextModelFile.Load(ml, stock))
        {
            Assert.AreEqual(TextModelFileKind.MLNetModel, file.Kind);
            Assert.AreEqual(TextModelFileKind.MLNetModel, TextModelFile.ReadKind(stock));
            Assert.IsNull(file.ScoreColumnName);
        }
        ArgumentException noInt8 = Assert.ThrowsExactly<ArgumentException>(() => TextModelFile.Load(ml, stock, new FineTunedRuntimeOptions { Int8 = true }));
        StringAssert.Contains(noInt8.Message, stock);

        string text = Path.Combine(folder, "notes.txt");
        File.WriteAllText(text, "not a zip");
        InvalidDataException notAModel = Assert.ThrowsExactly<InvalidDataException>(() => TextModelFile.Load(ml, text));
        StringAssert.Contains(notAModel.Message, text);
        StringAssert.Contains(notAModel.Message, "is not a model file");
        Assert.ThrowsExactly<FileNotFoundException>(() => TextModelFile.ReadKind(Path.Combine(folder, "missing.zip")));
    }
}
