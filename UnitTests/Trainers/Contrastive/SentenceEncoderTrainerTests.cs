using MLNetExt.Trainers.Training;
using Microsoft.ML;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Sts;
using MLNetExt.UnitTests.Evaluation;
using Microsoft.ML.Data;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Losses;
using MLNetExt.Transforms;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Trainers.Contrastive;

[TestClass]
public sealed class SentenceEncoderTrainerTests
{
    private static string _encoderFolder = "";

    private sealed class ScoredPair
    {
        public string Sentence1 { get; set; } = "";
        public string Sentence2 { get; set; } = "";
        public float Score { get; set; }
    }

    private sealed class BadScore
    {
        public string Sentence1 { get; set; } = "";
        public string Sentence2 { get; set; } = "";
        public string Score { get; set; } = "";
    }

    [ClassInitialize]
    public static void WriteTinyEncoder(TestContext context) =>
        _encoderFolder = TinyFineTuning.WriteEncoderFolder("mlnetext-tiny-sentence-encoder", seed: 4);

    [ClassCleanup]
    public static void DeleteTinyEncoder()
    {
        if (Directory.Exists(_encoderFolder))
            Directory.Delete(_encoderFolder, recursive: true);
    }

    private static ScoredPair[] Pairs(int count)
    {
        string path = SharedData.RequireFile("stsb", "dev.tsv");
        return File.ReadLines(path).Skip(1).Take(count).Select(l => l.Split('\t'))
            .Select(f => new ScoredPair { Sentence1 = f[7], Sentence2 = f[8], Score = float.Parse(f[9], System.Globalization.CultureInfo.InvariantCulture) }).ToArray();
    }

    private static SentenceEncoderTrainingOptions Options(SentenceEmbeddingLoss loss, params string[] columns) => new()
    {
        Model = EncoderModel.Load(_encoderFolder), Loss = loss, TextColumnNames = columns, MaxTokens = 32, Training = new TrainingOptions { BatchSize = 8, Epochs = 1, LearningRate = 1e-3 },
    };

    private static ITransformer SaveWithEncodersRoundTrip(MLContext mlContext, ITransformer model, DataViewSchema inputSchema)
    {
        using var stream = new MemoryStream();
        mlContext.Model.SaveWithEncoders(model, inputSchema, stream);
        stream.Position = 0;
        return mlContext.Model.LoadWithEncoders(stream, out _);
    }

    private static float[][] Embeddings(MLContext ml, ITransformer transformer, IDataView data) =>
        ml.Data.CreateEnumerable<EmbeddingRow>(transformer.Transform(data), reuseRowObject: false).Select(r => r.Embedding).ToArray();

    private sealed class EmbeddingRow
    {
        public float[] Embedding { get; set; } = [];
    }

    [TestMethod]
    public void CoSent_FitsAnEncodeTextTransformerThatSavesLoadsAndReloadsFromItsFolder()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Pairs(40));
        IDataView bad = ml.Data.LoadFromEnumerable(new[] { new BadScore { Sentence1 = "a", Sentence2 = "b", Score = "1" } });
        SentenceEncoderTrainingOptions options = Options(new CoSentLoss(), "Sentence1", "Sentence2");
        options.ScoreMinimum = 0;
        options.ScoreMaximum = 5;
        var trainer = ml.Transforms.Text.TrainSentenceEncoder(options);

        var fitted = (TextEncoderTransformer)EstimatorWorkout.Run(ml, trainer, data, bad, typeof(ArgumentOutOfRangeException),
            "Schema mismatch for input column 'Score': expected Single, got String", SaveWithEncodersRoundTrip);
        Assert.AreEqual(16, fitted.Dimension);
        float[][] trained = Embeddings(ml, fitted, data);

        // The weights moved: the untrained encoder embeds the same text differently.
        TextEncoderTransformer untrained = ml.Transforms.Text.EncodeText(new TextEncoderOptions
            { Model = EncoderModel.Load(_encoderFolder), InputColumnName = "Sentence1", OutputColumnName = "Embedding", MaxTokens = 32 }).Fit(data);
        Assert.IsTrue(Embeddings(ml, untrained, data)[0].Zip(trained[0]).Any(p => Math.Abs(p.First - p.Second) > 1e-3));
        untrained.Dispose();

        // A Hugging Face-layout folder that EncoderModel.Load reads back gives the same vectors.
        SentenceEncoderTrainingResult result = trainer.Train(data);
        string folder = Path.Combine(_encoderFolder, "trained");
        result.SaveFolder(folder);
        TextEncoderTransformer reloaded = ml.Transforms.Text.EncodeText(new TextEncoderOptions
            { Model = EncoderModel.Load(folder), InputColumnName = "Sentence1", OutputColumnName = "Embedding", MaxTokens = 32 }).Fit(data);
        float[][] fromFolder = Embeddings(ml, reloaded, data);
        for (int i = 0; i < trained.Length; i++)
            for (int j = 0; j < trained[i].Length; j++)
                Assert.AreEqual(trained[i][j], fromFolder[i][j], 1e-4, "a second seeded run and its folder give the same vectors");
        Assert.AreEqual(5, result.Training.Steps);
        reloaded.Dispose();
        fitted.Dispose();
    }

    [TestMethod]
    public void InBatchAndSelfSupervisedLosses_TrainFromTheirColumns()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Pairs(24));
        foreach ((SentenceEmbeddingLoss loss, string[] columns) in new (SentenceEmbeddingLoss, string[])[]
                 {
                     (new CachedMultipleNegativesRankingLoss(miniBatchSize: 3), ["Sentence1", "Sentence2"]),
                     (new MirrorBertLoss(), ["Sentence1"]),
                     (new MatryoshkaLoss(new SimCseLoss(), [16, 8]), ["Sentence1"]),
                 })
        {
            SentenceEncoderTrainingResult result = ml.Transforms.Text.TrainSentenceEncoder(Options(loss, columns)).Train(data);
            Assert.AreEqual(3, result.Training.Steps, loss.Name);
            Assert.IsTrue(double.IsFinite(result.Training.MeanLoss) && result.Training.MeanLoss > 0, $"{loss.Name}: mean loss {result.Training.MeanLoss}");
        }
    }

    [TestMethod]
    public void Evaluators_ReportDuringTraining_AndTheTrainedEncoderHasTheBestEvaluationsWeights()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Pairs(40));
        StsPair[] dev = Pairs(70).Skip(40).Select(p => new StsPair(p.Sentence1, p.Sentence2, p.Score)).ToArray();
        using var tmp = new TempFiles();
        tmp.Write("toy/corpus.jsonl", """{"_id": "d1", "title": "", "text": "a man is playing a guitar"}""",
            """{"_id": "d2", "title": "", "text": "a woman is slicing an onion"}""", """{"_id": "d3", "title": "", "text": "the cat sleeps on the sofa"}""");
        tmp.Write("toy/queries.jsonl", """{"_id": "q1", "text": "guitar player"}""", """{"_id": "q2", "text": "cutting onions"}""");
        tmp.Write("toy/qrels/test.tsv", "query-id\tcorpus-id\tscore", "q1\td1\t1", "q2\td2\t1");

        SentenceEncoderTrainingOptions options = Options(new CoSentLoss(), "Sentence1", "Sentence2");
        options.Evaluators = [new StsTrainingEvaluator(dev), new BeirTrainingEvaluator(BeirReader.Load(Path.Combine(tmp.Folder, "toy")), name: "toy")];
        options.Training.Epochs = 2;
        options.Training.EvaluateEverySteps = 2;
        options.Training.LearningRate = 3e-3;
        var reported = new List<TrainingProgress>();
        options.Progress = new SynchronousProgress<TrainingProgress>(reported.Add);

        SentenceEncoderTrainingResult result = ml.Transforms.Text.TrainSentenceEncoder(options).Train(data);

        Assert.AreEqual(10, result.Training.Steps);
        CollectionAssert.AreEqual(new[] { 2, 4, 6, 8, 10 }, result.Training.Evaluations.Select(e => e.Step).ToArray());
        CollectionAssert.AreEqual(new[] { 2, 4, 6, 8, 10 }, reported.Where(p => p.Metrics is not null).Select(p => p.Step).ToArray(), "progress shows each evaluation");
        foreach ((int _, IReadOnlyDictionary<string, double> metrics) in result.Training.Evaluations)
        {
            Assert.IsTrue(metrics["toy/ndcg_cut_10"] is >= 0 and <= 1);
            Assert.IsTrue(metrics.ContainsKey("sts/cosine_pearson") && metrics.ContainsKey("sts/manhattan_spearman"));
        }
        double[] spearman = result.Training.Evaluations.Select(e => e.Metrics["sts/cosine_spearman"]).ToArray();
        int best = Array.IndexOf(spearman, spearman.Max());
        Assert.AreEqual(result.Training.Evaluations[best].Step, result.Training.BestStep);
        Assert.AreEqual(spearman.Max(), result.Training.BestMetric);
        Assert.AreEqual(result.Training.BestStep < 10, result.Training.RestoredBestModel);

        // The exported encoder (ONNX, EncodeText) scores what the best evaluation scored with the TorchSharp module.
        TextEncoderTransformer encoder = ml.Transforms.Text.EncodeText(new TextEncoderOptions
            { Model = result.Model, InputColumnName = "Text", OutputColumnName = "Embedding", MaxTokens = 32 }).Fit(ml.Data.LoadFromEnumerable(Array.Empty<EmbeddingText>()));
        double exported = StsEvaluator.Evaluate(dev, new TransformerEmbedder(ml, encoder)).CosineSpearman;
        encoder.Dispose();
        Assert.AreEqual(spearman.Max(), exported, 1e-3);
    }

    private sealed class EmbeddingText
    {
        public string Text { get; set; } = "";
    }

    [TestMethod]
    public void Evaluators_WithEarlyStopping_StopTheRun()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Pairs(40));
        StsPair[] dev = Pairs(60).Skip(40).Select(p => new StsPair(p.Sentence1, p.Sentence2, p.Score)).ToArray();
        SentenceEncoderTrainingOptions options = Options(new CoSentLoss(), "Sentence1", "Sentence2");
        options.Evaluators = [new NeverImproving(), new StsTrainingEvaluator(dev)];
        options.Training.Epochs = 3;
        options.Training.EvaluateEverySteps = 1;
        options.Training.EarlyStoppingPatience = 2;
        SentenceEncoderTrainingResult result = ml.Transforms.Text.TrainSentenceEncoder(options).Train(data);
        Assert.IsTrue(result.Training.StoppedEarly);
        Assert.AreEqual(3, result.Training.Steps, "the first evaluation is the best; two more without improvement stop the run");
        Assert.AreEqual(1, result.Training.BestStep);
        Assert.IsTrue(result.Training.RestoredBestModel);

        SentenceEncoderTrainingOptions twice = Options(new CoSentLoss(), "Sentence1", "Sentence2");
        twice.Evaluators = [new StsTrainingEvaluator(dev), new StsTrainingEvaluator(dev)];
        var duplicate = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TrainSentenceEncoder(twice));
        StringAssert.Contains(duplicate.Message, "Two evaluators are named 'sts'");
    }

    /// <summary>An evaluator whose primary metric only gets worse.</summary>
    private sealed class NeverImproving : SentenceEncoderEvaluator
    {
        private int _calls;

        public override string Name => "fixed";

        public override string PrimaryMetric => "score";

        public override IReadOnlyDictionary<string, double> Evaluate(ITextEmbedder embedder, CancellationToken cancellationToken) =>
            new Dictionary<string, double> { ["score"] = -_calls++ };
    }

    [TestMethod]
    public void BadInput_GivesClearErrors()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Pairs(8));

        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TrainSentenceEncoder(Options(new MultipleNegativesRankingLoss(), "Anchor", "Positive")).Fit(data));
        StringAssert.Contains(missing.Message, "Could not find input column 'Anchor'");

        SentenceEncoderTrainingOptions range = Options(new CoSentLoss(), "Sentence1", "Sentence2");
        range.ScoreMinimum = 0;
        range.ScoreMaximum = 1;
        var outside = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TrainSentenceEncoder(range).Fit(data));
        StringAssert.Contains(outside.Message, "outside the declared range [0, 1]");

        SentenceEncoderTrainingOptions single = Options(new MultipleNegativesRankingLoss(), "Sentence1", "Sentence2");
        single.Training.BatchSize = 1;
        var batchOfOne = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TrainSentenceEncoder(single));
        StringAssert.Contains(batchOfOne.Message, "BatchSize must be at least 2");

        var oneRow = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.Text.TrainSentenceEncoder(Options(new MultipleNegativesRankingLoss(), "Sentence1", "Sentence2"))
            .Fit(ml.Data.LoadFromEnumerable(Pairs(1))));
        StringAssert.Contains(oneRow.Message, "at least 2 training rows");

        var columns = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TrainSentenceEncoder(Options(new CoSentLoss(), "Sentence1")));
        StringAssert.Contains(columns.Message, "cosent");
    }
}
