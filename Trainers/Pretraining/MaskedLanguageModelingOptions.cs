using MLNetExt.Trainers.Training;

namespace MLNetExt.Trainers.Pretraining;

/// <summary>Settings of <see cref="MaskedLanguageModeling.Train"/>.</summary>
public sealed class MaskedLanguageModelingOptions
{
    /// <summary>Fraction of each text's words masked (at least one word per text), as BERT's 15%.</summary>
    public double MaskFraction { get; set; } = 0.15;

    /// <summary>Word pieces per text, special tokens included; longer texts are cut and masked words past the cut dropped.</summary>
    public int MaxTokens { get; set; } = 128;

    /// <summary>
    /// The loop's settings; <see cref="TrainingOptions.BatchSize"/> counts masked words per step. Defaults: 256 words per
    /// step, 3 epochs, learning rate 1e-3 (only the head trains, over a frozen encoder), and the last step's head kept
    /// (<see cref="TrainingOptions.KeepBestModel"/> off): the held-out words are measured after each epoch for progress
    /// only, so the reported accuracy is not chosen on them.
    /// </summary>
    public TrainingOptions Training { get; set; } = new() { BatchSize = 256, Epochs = 3, LearningRate = 1e-3, WarmupFraction = 0.06, WeightDecay = 0.01, KeepBestModel = false };

    /// <summary>Receives the loop's progress (steps, loss, held-out top-1 at each evaluation).</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        if (MaskFraction is <= 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(MaskFraction), MaskFraction, "MaskFraction must be in (0, 1].");
        if (MaxTokens < 3)
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "MaxTokens must leave room for [CLS], a word and [SEP] (at least 3).");
        ArgumentNullException.ThrowIfNull(Training);
        Training.Validate();
    }
}
