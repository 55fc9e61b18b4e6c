using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using MLNetExt.Evaluation.Ner;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.TokenClassification;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Trainers;

/// <summary>Token classification: word-piece alignment, truncation, the trainer on a tiny encoder, serving, save/load, export.</summary>
[TestClass]
public sealed class TokenClassificationTests
{
    private static string _encoderFolder = "";

    private sealed class TaggedRow
    {
        public string Sentence { get; set; } = "";
        public string[] Tags { get; set; } = [];
    }

    private sealed class SentenceRow
    {
        public string Sentence { get; set; } = "";
    }

    private sealed class PredictionRow
    {
        public uint[] PredictedLabel { get; set; } = [];
        public float[] Score { get; set; } = [];
        public string[] Entities { get; set; } = [];
    }

    [ClassInitialize]
    public static void WriteTinyEncoder(TestContext context) =>
        _encoderFolder = TinyFineTuning.WriteEncoderFolder("mlnetext-token-classification", seed: 11);

    [ClassCleanup]
    public static void DeleteTinyEncoder()
    {
        if (Directory.Exists(_encoderFolder))
            Directory.Delete(_encoderFolder, recursive: true);
    }

    [TestMethod]
    public void TokenizeWords_PutsEachWordsLabelOnItsFirstPieceOnly()
    {
        EncoderTokenizer tokenizer = TrainerTestData.Tokenizer(128);
        string[] words = ["@paulwalk", "Empire", "State", "unbelievably", "."];
        TokenizedText row = tokenizer.AlignWords(words);
        CollectionAssert.AreEqual(tokenizer.Tokenize(string.Join(' ', words).AsSpan()).Ids, row.Ids, "Same ids as the whole text.");
        int[] first = row.Words!.FirstPieces;
        Assert.AreEqual(1, first[0]);
        Assert.IsTrue(first[1] - first[0] >= 3, "'@paulwalk' is several pieces (@ paul ##walk).");
        Assert.AreEqual(0, row.Words.DroppedWords);
        Assert.IsFalse(row.Truncated);

        long[] targets = TokenClassificationRows.Align(row, [0, 1, 2, 0, 0]);
        Assert.AreEqual(words.Length, targets.Count(t => t != TokenClassificationRows.IgnoredTarget), "One label per word.");
        for (int w = 0; w < words.Length; w++)
            Assert.AreEqual(new long[] { 0, 1, 2, 0, 0 }[w], targets[first[w]]);
        Assert.AreEqual(TokenClassificationRows.IgnoredTarget, targets[first[0] + 1], "The second piece of '@paulwalk' is not trained on.");
        Assert.AreEqual(TokenClassificationRows.IgnoredTarget, targets[0], "[CLS]");
        Assert.AreEqual(TokenClassificationRows.IgnoredTarget, targets[^1], "[SEP]");
    }

    [TestMethod]
    public void TokenizeWords_TruncationKeepsLabelsAlignedAndCountsDroppedWords()
    {
        // Room for 4 pieces: "a" (1) + "@paulwalk" (3) fill it; "b" and "c" are dropped.
        TokenizedText cut = TrainerTestData.Tokenizer(6).AlignWords(["a", "@paulwalk", "b", "c"]);
        CollectionAssert.AreEqual(new[] { 1, 2, -1, -1 }, cut.Words!.FirstPieces);
        Assert.AreEqual(2, cut.Words.DroppedWords);
        Assert.IsTrue(cut.Truncated);
        Assert.AreEqual(6, cut.Length);
        long[] targets = TokenClassificationRows.Align(cut, [3, 1, 2, 2]);
        CollectionAssert.AreEqual(new long[] { -100, 3, 1, -100, -100, -100 }, targets);

        // A word whose first piece fits is kept even when its later pieces are cut.
        TokenizedText partial = TrainerTestData.Tokenizer(4).AlignWords(["@paulwalk", "x"]);
        CollectionAssert.AreEqual(new[] { 1, -1 }, partial.Words!.FirstPieces);
        Assert.AreEqual(1, partial.Words.DroppedWords);
    }

    private static TaggedRow[] Sentences()
    {
        string[] people = ["john smith", "mary", "peter parker", "anna"];
        string[] places = ["paris", "new york", "london", "rome"];
        var rows = new List<TaggedRow>();
        for (int i = 0; i < 16; i++)
        {
            string[] person = people[i % people.Length].Split(' ');
            string[] place = places[(i / 2) % places.Length].Split(' ');
            string[] words = [.. person, "visited", .. place, "yesterday", "."];
            string[] tags = [.. person.Select((_, k) => k == 0 ? "B-person" : "I-person"), "O", .. place.Select((_, k) => k == 0 ? "B-location" : "I-location"), "O", "O"];
            rows.Add(new TaggedRow { Sentence = string.Join(' ', words), Tags = tags });
        }
        return rows.ToArray();
    }

    private static (MLContext Ml, IDataView Data, ITransformer Keys) Data(TaggedRow[] rows)
    {
        var ml = new MLContext(seed: 1);
        IDataView raw = ml.Data.LoadFromEnumerable(rows);
        ITransformer keys = ml.Transforms.Conversion.MapValueToKey("Label", "Tags").Fit(raw);
        return (ml, keys.Transform(raw), keys);
    }

    private static EncoderTokenClassificationOptions Options(int maxTokens = 16) => new()
    {
        Encoder = EncoderModel.Load(_encoderFolder), MaxTokens = maxTokens,
        Training = new TrainingOptions { BatchSize = 8, Epochs = 2, LearningRate = 1e-3 },
    };

    private static ITransformer SaveWithEncodersRoundTrip(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        ml.Model.SaveWithEncoders(model, schema, stream);
        stream.Position = 0;
        return ml.Model.LoadWithEncoders(stream, out _);
    }

    [TestMethod]
    public void Trainer_FitsServesSavesLoadsAndExports()
    {
        (MLContext ml, IDataView data, _) = Data(Sentences());
        IDataView scalarLabel = ml.Transforms.Conversion.MapValueToKey("Label", "Sentence").Fit(ml.Data.LoadFromEnumerable(Sentences())).Transform(ml.Data.LoadFromEnumerable(Sentences()));
        var trainer = ml.MulticlassClassification.Trainers.EncoderNamedEntityRecognition(Options());
        var model = (EncoderFineTuningTransformer)EstimatorWorkout.Run(ml, trainer, data, scalarLabel, typeof(ArgumentOutOfRangeException),
            "Schema mismatch for input column 'Label': expected vector of Key", SaveWithEncodersRoundTrip);
        using var end = Owned.Ends(model);
        Assert.AreEqual(FineTuningKind.TokenClassification, model.Kind);
        Assert.AreEqual(5, model.ClassCount); // B/I person, B/I location, O

        // Batched view: one key per word; the entities column is the decoding of the predicted tags.
        string[] sentences = ["anna visited new york yesterday .", "mary visited rome", "x"];
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(sentences.Select(s => new SentenceRow { Sentence = s })));
        PredictionRow[] rows = ml.Data.CreateEnumerable<PredictionRow>(scored, reuseRowObject: false).ToArray();
        string[][] tags = model.PredictTags(sentences);
        for (int i = 0; i < sentences.Length; i++)
        {
            int words = sentences[i].Split(' ').Length;
            Assert.AreEqual(words, rows[i].PredictedLabel.Length);
            Assert.AreEqual(words, rows[i].Score.Length);
            CollectionAssert.AreEqual(rows[i].PredictedLabel.Select(k => model.Tags![(int)k - 1]).ToArray(), tags[i]);
            List<EntitySpan> expected = EntityTags.Decode(tags[i], sentences[i].Split(' '));
            CollectionAssert.AreEqual(expected.Select(e => e.ToString()).ToArray(), rows[i].Entities);
            CollectionAssert.AreEqual(expected, model.PredictEntities(sentences)[i].ToList());
        }

        // One row at a time through a PredictionEngine: the same answer.
        using var engine = ml.Model.CreatePredictionEngine<SentenceRow, PredictionRow>(model);
        CollectionAssert.AreEqual(rows[0].PredictedLabel, engine.Predict(new SentenceRow { Sentence = sentences[0] }).PredictedLabel);
        Assert.ThrowsExactly<InvalidOperationException>(() => model.Predict(sentences));

        // The exported graph has per-token logits, one per tag.
        string onnx = Path.Combine(_encoderFolder, "ner.onnx");
        model.ExportOnnx(onnx);
        using var session = new InferenceSession(onnx);
        int[] dims = session.OutputMetadata["logits"].Dimensions;
        Assert.AreEqual(3, dims.Length);
        Assert.AreEqual(5, dims[2]);
    }

    [TestMethod]
    public void Trainer_TagsWordsPastMaxTokensAsOutside()
    {
        (MLContext ml, IDataView data, _) = Data(Sentences());
        var options = Options(maxTokens: 5); // 3 pieces: later words are dropped in training and tagged O in serving
        EncoderFineTuningTransformer model = ml.MulticlassClassification.Trainers.EncoderNamedEntityRecognition(options).Fit(data);
        using var end = Owned.Ends(model);
        string[] tags = model.PredictTags(["john smith visited new york yesterday ."])[0];
        Assert.AreEqual(7, tags.Length);
        CollectionAssert.AreEqual(new[] { "O", "O", "O", "O" }, tags[3..]);
    }

    [TestMethod]
    public void Trainer_RejectsTagsOutsideTheSchemeMisalignedRowsAndUnknownClassWeights()
    {
        TaggedRow[] bioes = Sentences();
        bioes[0].Tags[^1] = "S-person";
        (MLContext ml, IDataView data, _) = Data(bioes);
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.EncoderNamedEntityRecognition(Options()).Fit(data));
        StringAssert.Contains(e.Message, "'S-person'");

        TaggedRow[] ragged = Sentences();
        ragged[3].Tags = ragged[3].Tags[..^1];
        (ml, data, _) = Data(ragged);
        e = Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.EncoderNamedEntityRecognition(Options()).Fit(data));
        StringAssert.Contains(e.Message, "Row 3 of the training data has 6 words in 'Sentence' but 5 tags in 'Label'");

        (ml, data, _) = Data(Sentences());
        EncoderTokenClassificationOptions weighted = Options();
        weighted.ClassWeights = new Dictionary<string, float> { ["B-alien"] = 2f };
        e = Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.EncoderNamedEntityRecognition(weighted).Fit(data));
        StringAssert.Contains(e.Message, "'B-alien'");
        weighted.ClassWeights = new Dictionary<string, float> { ["O"] = -1f };
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.EncoderNamedEntityRecognition(weighted));
    }

    [TestMethod]
    public void EntityKeywordExtractor_GivesTheTaggersEntityTextsAsQueryKeywords()
    {
        Assert.AreEqual("Did John Smith visit New-York , or rome ?", EntityKeywordExtractor.SplitWords("Did John Smith visit New-York, or rome?"));
        Assert.AreEqual("it's 5 % !", EntityKeywordExtractor.SplitWords("  it's 5%!"));

        (MLContext ml, IDataView data, _) = Data(Sentences());
        EncoderFineTuningTransformer model = ml.MulticlassClassification.Trainers.EncoderNamedEntityRecognition(Options()).Fit(data);
        using var end = Owned.Ends(model);
        var extractor = new EntityKeywordExtractor(model);
        CollectionAssert.AreEqual(new[] { "location", "person" }, extractor.EntityTypes.ToArray());
        var e = Assert.ThrowsExactly<ArgumentException>(() => new EntityKeywordExtractor(model, ["vehicle"]));
        StringAssert.Contains(e.Message, "Entity type 'vehicle' is not predicted by the keyword model; its types are location, person");

        // Keywords are the decoded entities' texts of the word-split query, of the chosen types only.
        string[] queries = ["did anna visit new york?", "mary visited paris yesterday.", "nothing here"];
        IReadOnlyList<EntitySpan>[] entities = extractor.ExtractEntities(queries);
        CollectionAssert.AreEqual(model.PredictEntities(queries.Select(EntityKeywordExtractor.SplitWords).ToArray())[1].ToArray(), entities[1].ToArray());
        IReadOnlyList<string>[] all = extractor.ExtractKeywords(queries);
        IReadOnlyList<string>[] places = new EntityKeywordExtractor(model, ["location"]).ExtractKeywords(queries);
        for (int q = 0; q < queries.Length; q++)
        {
            CollectionAssert.AreEqual(entities[q].Select(s => s.Text).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(), all[q].ToArray());
            CollectionAssert.AreEqual(entities[q].Where(s => s.Type == "location").Select(s => s.Text).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(), places[q].ToArray());
        }
        Console.WriteLine(string.Join(" | ", all.Select(k => string.Join(", ", k))));
    }
}
