using MLNetExt.Estimators.SearchSpaces;
using MLNetExt.Transforms;

namespace MLNetExt.Estimators.Pipelines;

/// <summary>
/// Searched hyperparameters of encoder fine-tuning (<c>EncoderTextClassification</c>, <c>EncoderSentenceSimilarity</c>).
/// </summary>
/// <remarks>
/// <para>
/// Ranges follow the fine-tuning literature: BERT's grid (Devlin et al. 2019: learning rate 2e-5 to 5e-5, batch 16
/// or 32, 2 to 4 epochs), widened upward in learning rate for 6-layer encoders such as MiniLM, which take larger
/// steps well; warmup over up to 20% of the steps and decoupled weight decay up to 0.1 as in RoBERTa and Mosbach et
/// al. 2021 ("On the Stability of Fine-tuning BERT").
/// </para>
/// <para>
/// The defaults are the low-cost point where cost-frugal search starts: one epoch at 64 tokens. The encoder is not
/// frozen by default: a frozen encoder with a linear head is what the cheaper <c>encoder</c> featurizer + linear
/// trainer pipelines already cover, so the fine-tuning candidate earns its cost by training the encoder.
/// </para>
/// </remarks>
public sealed class FineTuningSearchOptions
{
    /// <summary>Peak AdamW learning rate.</summary>
    [Range(1e-5, 2e-4, logBase: true)]
    public double LearningRate { get; set; } = 5e-5;

    /// <summary>Passes over the training rows (cost grows linearly).</summary>
    [Range(1, 4)]
    public int Epochs { get; set; } = 1;

    /// <summary>Rows per optimisation step.</summary>
    [Choice(8, 16, 32)]
    public int BatchSize { get; set; } = 16;

    /// <summary>Fraction of the steps over which the learning rate rises from 0.</summary>
    [Range(0.0, 0.2)]
    public double WarmupFraction { get; set; } = 0.1;

    /// <summary>Decoupled weight decay (not on biases and LayerNorm weights).</summary>
    [Range(0.0, 0.1)]
    public double WeightDecay { get; set; } = 0.01;

    /// <summary>Longest input in tokens (cost grows with it; SST-2 sentences mostly fit in 64).</summary>
    [Choice(32, 64, 128)]
    public int MaxTokens { get; set; } = 64;

    /// <summary>Train the head only.</summary>
    [BooleanChoice]
    public bool FreezeEncoder { get; set; }

    /// <summary>How the head pools the token states (mean is all-MiniLM-L6-v2's own).</summary>
    [Choice(EncoderPooling.Mean, EncoderPooling.Cls)]
    public EncoderPooling Pooling { get; set; } = EncoderPooling.Mean;
}
