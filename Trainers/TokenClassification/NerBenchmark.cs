using System.Diagnostics;
using System.Text;
using Microsoft.ML;
using MLNetExt.Evaluation.IO;
using MLNetExt.Evaluation.Ner;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Transforms;
using MLNetExt.Transforms.IO;

namespace MLNetExt.Trainers.TokenClassification;

/// <summary>
/// <c>mlnetext train ner</c> and <c>eval ner</c> as library calls: fine-tunes a token classifier on a CoNLL folder,
/// scores it on dev beside the frozen baseline, saves it; and scores a saved model on a CoNLL file.
/// </summary>
public static class NerBenchmark
{
    private sealed class TaggedRow
    {
        public string Sentence { get; set; } = "";
        public string[] Tags { get; set; } = [];
    }

    private sealed class TagRow
    {
        public string Tag { get; set; } = "";
    }

    /// <summary>Trains on <c>train.conll</c>, scores <c>dev.conll</c>.</summary>
    /// <exception cref="DataFileException">A file cannot be read (the message names file and line).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static NerBenchmarkResult Run(NerBenchmarkOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        string trainPath = Path.Combine(options.DataDirectory, "train.conll"), devPath = Path.Combine(options.DataDirectory, "dev.conll");
        IReadOnlyList<ConllSentence> train = ConllReader.Read(trainPath, options.Scheme);
        string[] tags = ConllReader.LabelSet(train); // of the whole file, so that a capped run knows every tag
        if (options.MaxTrainSentences is int cap)
            train = train.Take(cap).ToArray();
        IReadOnlyList<ConllSentence> dev = ConllReader.Read(devPath, options.Scheme, tags);
        EncoderModel encoder = options.Encoder ?? PretrainedEncoders.Load(PretrainedEncoders.MiniLM.Name);
        if (options.OutputDirectory is not null)
            Directory.CreateDirectory(options.OutputDirectory);

        var ml = new MLContext(options.Training.Seed);
        IDataView keyData = ml.Data.LoadFromEnumerable(tags.Select(t => new TagRow { Tag = t }).ToArray());
        IDataView data = ml.Transforms.Conversion.MapValueToKey("Label", nameof(TaggedRow.Tags), keyData: keyData)
            .Fit(ml.Data.LoadFromEnumerable(Array.Empty<TaggedRow>()))
            .Transform(ml.Data.LoadFromEnumerable(train.Select(s => new TaggedRow { Sentence = s.Text, Tags = s.Tags.ToArray() }).ToArray()));
        var trainerOptions = new EncoderTokenClassificationOptions
        {
            SentenceColumnName = nameof(TaggedRow.Sentence), Encoder = encoder, Scheme = options.Scheme, MaxTokens = options.MaxTokens,
            FreezeEncoder = options.FreezeEncoder, Training = options.Training, Progress = options.Progress,
        };
        var clock = Stopwatch.StartNew();
        EncoderFineTuningTransformer model = ml.MulticlassClassification.Trainers.EncoderNamedEntityRecognition(trainerOptions).Fit(data, cancellationToken);
        try
        {
            double trainingSeconds = clock.Elapsed.TotalSeconds;
            string? modelPath = null;
            if (options.OutputDirectory is not null)
            {
                modelPath = Path.Combine(options.OutputDirectory, "model.zip");
                model.Save(modelPath);
            }
            (NerModelScores fineTuned, string[][] predicted) = Score(model, dev, $"fine-tuned {encoder.Name}", trainingSeconds, cancellationToken);
            if (options.OutputDirectory is not null)
                WritePredictions(Path.Combine(options.OutputDirectory, "dev.predictions.conll"), dev, predicted);

            NerModelScores? baseline = null;
            if (options.Baseline)
            {
                (string[][] frozen, double fitSeconds, double tagSeconds) = FrozenTokenBaseline.Run(train, dev, tags, encoder, options.MaxTokens,
                    options.Training.Seed, cancellationToken);
                baseline = Scores($"frozen {encoder.Name} + L-BFGS per word", dev, frozen, options.Scheme, fitSeconds, tagSeconds);
            }
            return new NerBenchmarkResult
            {
                Encoder = encoder.Name, TrainSentences = train.Count, DevSentences = dev.Count, Tags = tags, FineTuned = fineTuned, Baseline = baseline,
                Training = model.TrainingResult!, ModelPath = modelPath,
            };
        }
        finally
        {
            model.Dispose();
        }
    }

    /// <summary>Scores a model saved by <c>train ner</c> (<see cref="EncoderFineTuningTransformer.Save"/>) on a CoNLL file.</summary>
    /// <exception cref="FileNotFoundException">The model or the file does not exist.</exception>
    /// <exception cref="InvalidDataException">The model is not a saved token classifier.</exception>
    /// <exception cref="DataFileException">The file cannot be read, or holds a tag the model does not know.</exception>
    public static NerModelScores Evaluate(string modelPath, string conllPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentException.ThrowIfNullOrEmpty(conllPath);
        EncoderFineTuningTransformer model = EncoderFineTuningTransformer.Load(new MLContext(), modelPath);
        try
        {
            if (model.Kind != FineTuningKind.TokenClassification)
                throw new InvalidDataException($"{modelPath}: a {model.Kind} model, not a token classifier.");
            IReadOnlyList<ConllSentence> sentences = ConllReader.Read(conllPath, model.Info.Scheme, model.Tags!.ToArray());
            return Score(model, sentences, $"{modelPath}", 0, cancellationToken).Scores;
        }
        finally
        {
            model.Dispose();
        }
    }

    private static (NerModelScores Scores, string[][] Predicted) Score(EncoderFineTuningTransformer model, IReadOnlyList<ConllSentence> sentences, string name,
        double trainingSeconds, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string[][] predicted = model.PredictTags(sentences.Select(s => s.Text).ToArray(), cancellationToken);
        double seconds = clock.Elapsed.TotalSeconds;
        return (Scores(name, sentences, predicted, model.Info.Scheme, trainingSeconds, seconds), predicted);
    }

    private static NerModelScores Scores(string name, IReadOnlyList<ConllSentence> gold, string[][] predicted, TaggingScheme scheme, double trainingSeconds,
        double taggingSeconds) =>
        new(name, NerEvaluator.Evaluate(gold, predicted, scheme, EntityDecoding.Strict), NerEvaluator.Evaluate(gold, predicted, scheme, EntityDecoding.Conlleval),
            trainingSeconds, taggingSeconds);

    /// <summary>word TAB gold TAB predicted, a blank line after each sentence (the layout conlleval and wnuteval read).</summary>
    private static void WritePredictions(string path, IReadOnlyList<ConllSentence> gold, string[][] predicted)
    {
        var text = new StringBuilder();
        for (int s = 0; s < gold.Count; s++)
        {
            for (int w = 0; w < gold[s].Words.Count; w++)
                text.Append(gold[s].Words[w]).Append('\t').Append(gold[s].Tags[w]).Append('\t').Append(predicted[s][w]).Append('\n');
            text.Append('\n');
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }
}
