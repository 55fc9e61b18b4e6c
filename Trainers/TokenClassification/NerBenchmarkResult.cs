using MLNetExt.Evaluation.Ner;
using MLNetExt.Trainers.Training;

namespace MLNetExt.Trainers.TokenClassification;

/// <summary>How one tagger scored on a set of sentences, and how fast it was.</summary>
/// <param name="Model">What was scored.</param>
/// <param name="Strict">Entity measures with seqeval's strict decoding (the primary one: <c>Strict.Micro.F1</c>).</param>
/// <param name="Conlleval">Entity measures with conlleval's decoding.</param>
/// <param name="TrainingSeconds">Seconds spent training (0 for a loaded model).</param>
/// <param name="TaggingSeconds">Seconds spent tagging the sentences.</param>
public sealed record NerModelScores(string Model, NerResult Strict, NerResult Conlleval, double TrainingSeconds, double TaggingSeconds)
{
    /// <summary>Sentences tagged per second.</summary>
    public double SentencesPerSecond => TaggingSeconds > 0 ? Strict.Sentences / TaggingSeconds : 0;
}

/// <summary>What <see cref="NerBenchmark.Run"/> did: the fine-tuned model's dev scores beside the frozen baseline's.</summary>
public sealed class NerBenchmarkResult
{
    /// <summary>The encoder fine-tuned.</summary>
    public required string Encoder { get; init; }

    /// <summary>Training sentences used.</summary>
    public required int TrainSentences { get; init; }

    /// <summary>Dev sentences scored.</summary>
    public required int DevSentences { get; init; }

    /// <summary>The tag set, by class index.</summary>
    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>The fine-tuned model on dev.</summary>
    public required NerModelScores FineTuned { get; init; }

    /// <summary>The frozen baseline on dev; null when not run.</summary>
    public NerModelScores? Baseline { get; init; }

    /// <summary>The training run (steps, seconds, rows per second, threads).</summary>
    public required TrainingResult Training { get; init; }

    /// <summary>The saved model, when an output folder was given.</summary>
    public string? ModelPath { get; init; }
}
