using MLNetExt.Estimators.SearchSpaces;

namespace MLNetExt.Estimators.Pipelines;

/// <summary>Searched hyperparameters of the <c>cosent</c> sweep arm (CoSENT fine-tuning of the sentence encoder on scored pairs).</summary>
/// <remarks>
/// Ranges around sentence-transformers' defaults for CoSENT on STS-B (learning rate 2e-5, batch 16, a few epochs, 10%
/// warmup). The defaults are the low-cost point where cost-frugal search starts: one epoch at 64 tokens, which fits
/// STS-B's sentences.
/// </remarks>
public sealed class CoSentSearchOptions
{
    /// <summary>Peak AdamW learning rate.</summary>
    [Range(5e-6, 1e-4, logBase: true)]
    public double LearningRate { get; set; } = 2e-5;

    /// <summary>Passes over the training pairs (cost grows linearly).</summary>
    [Range(1, 4)]
    public int Epochs { get; set; } = 1;

    /// <summary>Pairs per step; CoSENT compares every two pairs of a batch.</summary>
    [Choice(16, 32)]
    public int BatchSize { get; set; } = 16;

    /// <summary>Fraction of the steps over which the learning rate rises from 0.</summary>
    [Range(0.0, 0.2)]
    public double WarmupFraction { get; set; } = 0.1;

    /// <summary>Longest training input in tokens (cost grows with it); the trained encoder serves at its own limit.</summary>
    [Choice(32, 64, 128)]
    public int MaxTokens { get; set; } = 64;
}
