using MLNetExt.Evaluation.Embeddings;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>
/// An evaluation run during sentence-encoder training (sentence-transformers' evaluators): it scores the encoder
/// being trained through an <see cref="ITextEmbedder"/> and returns named metrics, one of them primary. The first
/// evaluator of <see cref="SentenceEncoderTrainingOptions.Evaluators"/> decides early stopping and which step's
/// weights the run keeps (<see cref="Training.TrainingOptions.KeepBestModel"/>).
/// </summary>
public abstract class SentenceEncoderEvaluator
{
    /// <summary>Prefix of this evaluator's metrics in the training's evaluations, e.g. <c>sts</c> gives <c>sts/cosine_spearman</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The metric (without the prefix) that early stopping and the best-model choice follow.</summary>
    public abstract string PrimaryMetric { get; }

    /// <summary>Whether a larger <see cref="PrimaryMetric"/> is better. Default true.</summary>
    public virtual bool HigherIsBetter => true;

    /// <summary>Scores the encoder behind <paramref name="embedder"/>; metric names without the prefix.</summary>
    public abstract IReadOnlyDictionary<string, double> Evaluate(ITextEmbedder embedder, CancellationToken cancellationToken);

    /// <summary>The name a metric of this evaluator has in the training's evaluations.</summary>
    public string Qualify(string metric) => $"{Name}/{metric}";
}
