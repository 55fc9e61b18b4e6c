using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Pretraining;

/// <summary>What <see cref="MaskedLanguageModeling.Train"/> produced and measured.</summary>
/// <param name="Encoder">The frozen encoder the head reads.</param>
/// <param name="Head">The trained head.</param>
/// <param name="TrainingWords">Masked words trained on.</param>
/// <param name="HeldOutWords">Masked words of the held-out texts.</param>
/// <param name="Top1">Held-out top-1 accuracy over the whole vocabulary.</param>
/// <param name="Top5">Held-out top-5 accuracy over the whole vocabulary.</param>
/// <param name="FrequencyTop1">Held-out top-1 accuracy of always predicting the most frequent training word (the floor).</param>
/// <param name="EncodingSeconds">Seconds spent encoding the masked texts with the frozen encoder.</param>
/// <param name="Training">The loop's result (steps, loss, time, evaluations).</param>
public sealed record MaskedLanguageModelingResult(EncoderModel Encoder, MaskedLanguageModelHead Head, int TrainingWords, int HeldOutWords,
    double Top1, double Top5, double FrequencyTop1, double EncodingSeconds, TrainingResult Training)
{
    /// <summary>
    /// Writes a model folder that <c>MaskedWordPredictor.Load</c> reads: the encoder (config.json, vocab.txt,
    /// model.onnx) and the head (<see cref="MaskedLanguageModelHead.FileName"/>), atomically as a whole.
    /// </summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        MLNetExt.Transforms.IO.AtomicFile.WriteDirectory(directory, folder =>
        {
            Encoder.WriteFiles(folder);
            Head.Save(Path.Combine(folder, MaskedLanguageModelHead.FileName), new Dictionary<string, string>
            {
                ["encoder"] = Encoder.Name,
                ["held_out_top1"] = Top1.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                ["held_out_top5"] = Top5.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            });
        });
    }
}
