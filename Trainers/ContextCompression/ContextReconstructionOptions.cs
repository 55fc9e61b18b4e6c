using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.ContextCompression;

/// <summary>Settings of <c>mlContext.Transforms.Text.TrainContextReconstruction</c>.</summary>
public sealed class ContextReconstructionOptions
{
    /// <summary>The encoder to start the compressor from (at least two layers); null for all-MiniLM-L6-v2.</summary>
    public EncoderModel? Model { get; set; }

    /// <summary>Word pieces per compressed vector, x in {1, 2, 4, 8}. Default 4.</summary>
    public int Ratio { get; set; } = 4;

    /// <summary>Word pieces per text, <c>[CLS]</c>/<c>[SEP]</c> included. Default 64.</summary>
    public int MaxTokens { get; set; } = 64;

    /// <summary>What to do with a longer text: false (default) refuses it naming the text, true cuts it.</summary>
    public bool TruncateLongText { get; set; }

    /// <summary>Width of the decoder. Default 256.</summary>
    public int DecoderSize { get; set; } = 256;

    /// <summary>Decoder layers. Default 2.</summary>
    public int DecoderLayers { get; set; } = 2;

    /// <summary>Decoder attention heads. Default 4.</summary>
    public int DecoderHeads { get; set; } = 4;

    /// <summary>
    /// Also train the encoder layers below the pooled layer; false (default) keeps them frozen, so only the pooled layer,
    /// the projector and the decoder learn (cheaper, and the encoder's retrieval skills are left as they are).
    /// </summary>
    public bool TrainEncoder { get; set; }

    /// <summary>
    /// The baseline: the decoder gets one zero vector per text instead of the compressor's vectors, so it learns to predict each
    /// word piece from the ones before it alone. A compressor's accuracy means something only above this one's. Default false.
    /// </summary>
    public bool ZeroVectors { get; set; }

    /// <summary>The shared training loop's settings. Default: batch 32, 1 epoch, learning rate 5e-4 (the decoder starts from scratch).</summary>
    public TrainingOptions Training { get; set; } = new() { BatchSize = 32, Epochs = 1, LearningRate = 5e-4 };

    /// <summary>Receives a report after every step.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Checks the options; the message names the bad one and its value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        ContextPooling.CheckRatio(Ratio);
        if (MaxTokens < 3)
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, $"MaxTokens must leave room for a word piece besides [CLS] and [SEP]; got {MaxTokens}.");
        if (DecoderSize < 1 || DecoderLayers < 1 || DecoderHeads < 1 || DecoderSize % DecoderHeads != 0)
            throw new ArgumentOutOfRangeException(nameof(DecoderSize), DecoderSize,
                $"The decoder needs a positive width divisible by its heads and at least one layer; got width {DecoderSize}, {DecoderLayers} layers, {DecoderHeads} heads.");
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        Training.Validate();
    }

    internal ContextReconstructionOptions Clone()
    {
        var copy = (ContextReconstructionOptions)MemberwiseClone();
        copy.Training = Training.Clone();
        return copy;
    }
}

/// <summary>What <see cref="ContextReconstructionTrainer.Train"/> returns.</summary>
/// <param name="Ratio">Word pieces per compressed vector.</param>
/// <param name="ZeroVectors">Whether this was the baseline, the decoder given zero vectors (<see cref="ContextReconstructionOptions.ZeroVectors"/>).</param>
/// <param name="TrainingTexts">Texts trained on.</param>
/// <param name="HeldOutTexts">Held-out texts scored.</param>
/// <param name="HeldOutTokens">Word pieces scored.</param>
/// <param name="TokenAccuracy">Share of held-out word pieces rebuilt exactly (teacher-forced), 0..1.</param>
/// <param name="FirstTokenAccuracy">Share of held-out texts whose first word piece was rebuilt exactly, 0..1: the decoder
/// has only <c>[CLS]</c> and the vectors to go on there, so this is the plainest measure of what the vectors keep.</param>
/// <param name="Training">The loop's figures.</param>
public sealed record ContextReconstructionResult(int Ratio, bool ZeroVectors, int TrainingTexts, int HeldOutTexts, long HeldOutTokens, double TokenAccuracy,
    double FirstTokenAccuracy, TrainingResult Training);
