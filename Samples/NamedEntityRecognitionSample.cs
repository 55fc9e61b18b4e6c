using Microsoft.ML;
using MLNetExt.Evaluation.Ner;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.TokenClassification;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Samples;

/// <summary>
/// <c>mlContext.MulticlassClassification.Trainers.EncoderNamedEntityRecognition</c>: fine-tunes all-MiniLM-L6-v2 as a
/// named-entity tagger on WNUT 2017 sentences (CoNLL files read by <c>ConllReader</c>), scores dev sentences with
/// <c>NerEvaluator</c> (strict entity F1, WNUT surface F1) and prints the entities found in a new sentence.
/// Run: <c>dotnet run --project Samples -c Release -- ner [data-folder] [training-sentences]</c>.
/// </summary>
/// <remarks>
/// Prints (<c>ner ../shared/data 64</c>: 64 training sentences, 1 epoch, 64 dev sentences: a smoke run that shows the
/// API; a model this small finds few entities; see BENCHMARKS.md for a real run):
/// <code>
/// trained on 64 sentences: 4 steps
/// dev (64 sentences): strict entity F1 0.00, surface F1 0.00
/// "Empire State Building = ESB . Pretty bad storm here last evening ." -> 0 entities
/// </code>
/// </remarks>
public static class NamedEntityRecognitionSample
{
    private sealed class TaggedSentence
    {
        public string Sentence { get; set; } = "";
        public string[] Tags { get; set; } = [];
    }

    /// <summary>The dev measures and the entities of the example sentence.</summary>
    /// <param name="Dev">Entity-level measures on the dev sentences.</param>
    /// <param name="Entities">Entities predicted in the example sentence.</param>
    /// <param name="TrainingSteps">Optimisation steps taken.</param>
    public sealed record Result(NerResult Dev, IReadOnlyList<EntitySpan> Entities, int TrainingSteps);

    /// <summary>Fine-tunes on the first <paramref name="trainingSentences"/> WNUT 2017 training sentences and scores dev.</summary>
    /// <param name="dataFolder">The folder holding <c>wnut17/</c> (the shared data folder).</param>
    /// <param name="trainingSentences">Training sentences (the file has 3,394).</param>
    /// <param name="devSentences">Dev sentences scored.</param>
    /// <param name="epochs">Passes over the training sentences.</param>
    public static Result Example(string dataFolder, int trainingSentences = 64, int devSentences = 64, int epochs = 1)
    {
        string folder = Path.Combine(dataFolder, "wnut17");
        IReadOnlyList<ConllSentence> train = ConllReader.Read(Path.Combine(folder, "train.conll"));
        string[] tags = ConllReader.LabelSet(train);
        IReadOnlyList<ConllSentence> dev = ConllReader.Read(Path.Combine(folder, "dev.conll"), labels: tags).Take(devSentences).ToArray();

        var mlContext = new MLContext(seed: 0);
        // One text per sentence (words separated by spaces) and one tag per word, mapped to keys in a fixed order.
        IDataView data = mlContext.Data.LoadFromEnumerable(train.Take(trainingSentences)
            .Select(s => new TaggedSentence { Sentence = s.Text, Tags = s.Tags.ToArray() }));
        IDataView keyOrder = mlContext.Data.LoadFromEnumerable(tags.Select(t => new { Tag = t }));
        IDataView keyed = mlContext.Transforms.Conversion.MapValueToKey("Label", "Tags", keyData: keyOrder).Fit(data).Transform(data);

        var options = new EncoderTokenClassificationOptions
        {
            Encoder = PretrainedEncoders.Load("all-MiniLM-L6-v2"),
            SentenceColumnName = "Sentence",
            LabelColumnName = "Label",
            MaxTokens = 64,
            Training = new TrainingOptions { BatchSize = 16, Epochs = epochs, LearningRate = 1e-4 },
        };
        EncoderFineTuningTransformer model = mlContext.MulticlassClassification.Trainers.EncoderNamedEntityRecognition(options).Fit(keyed);
        try
        {
            Console.WriteLine($"trained on {Math.Min(trainingSentences, train.Count)} sentences: {model.TrainingResult!.Steps} steps");
            string[][] predicted = model.PredictTags(dev.Select(s => s.Text).ToArray());
            NerResult result = NerEvaluator.Evaluate(dev, predicted);
            Console.WriteLine($"dev ({dev.Count} sentences): strict entity F1 {result.Micro.F1:F2}, surface F1 {result.Surface.F1:F2}");

            const string Example = "Empire State Building = ESB . Pretty bad storm here last evening .";
            IReadOnlyList<EntitySpan> entities = model.PredictEntities([Example])[0];
            Console.WriteLine($"\"{Example}\" -> {entities.Count} entities");
            foreach (EntitySpan e in entities)
                Console.WriteLine($"  {e.Type}: {e.Text} (words {e.Start}-{e.End - 1})");
            return new Result(result, entities, model.TrainingResult.Steps);
        }
        finally
        {
            model.Dispose();
        }
    }
}
