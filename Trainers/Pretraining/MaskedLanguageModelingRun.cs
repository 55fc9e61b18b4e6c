using Microsoft.ML;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Pretraining;

/// <summary>What <c>mlnetext train mlm</c> runs: the encoder, the text files and the settings.</summary>
public sealed class MaskedLanguageModelingRunSpec
{
    /// <summary>A pretrained encoder's name or an encoder folder.</summary>
    public string Encoder { get; init; } = "all-MiniLM-L6-v2";

    /// <summary>Training text: <c>.txt</c> files (one paragraph or sentence per line) or tab-separated files with a header.</summary>
    public IReadOnlyList<string> TrainingFiles { get; init; } = [];

    /// <summary>Held-out text files, read the same way.</summary>
    public IReadOnlyList<string> HeldOutFiles { get; init; } = [];

    /// <summary>Columns read from tab-separated files.</summary>
    public IReadOnlyList<string> Columns { get; init; } = ["sentence", "sentence1", "sentence2"];

    /// <summary>Training sentences at most (after splitting paragraphs), in file order.</summary>
    public int? MaxTrainingTexts { get; init; }

    /// <summary>Held-out sentences at most.</summary>
    public int? MaxHeldOutTexts { get; init; } = 2000;

    /// <summary>The trainer's settings.</summary>
    public MaskedLanguageModelingOptions Options { get; init; } = new();
}

/// <summary>Reads the spec's files, trains the head (<see cref="MaskedLanguageModeling.Train"/>) and returns the result.</summary>
public static class MaskedLanguageModelingRun
{
    /// <summary>Runs <paramref name="spec"/>.</summary>
    /// <exception cref="ArgumentException">No training file, or a file holds no text.</exception>
    public static MaskedLanguageModelingResult Execute(MaskedLanguageModelingRunSpec spec, MLContext? mlContext = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.TrainingFiles.Count == 0)
            throw new ArgumentException("Give at least one training text file.", nameof(spec));
        if (spec.HeldOutFiles.Count == 0)
            throw new ArgumentException("Give at least one held-out text file: the head is measured on it.", nameof(spec));
        EncoderModel encoder = Directory.Exists(spec.Encoder) ? EncoderModel.Load(spec.Encoder) : PretrainedEncoders.Load(spec.Encoder);
        string[] training = Sentences(UnlabelledText.Read(spec.TrainingFiles, spec.Columns, null), spec.MaxTrainingTexts);
        string[] heldOut = Sentences(UnlabelledText.Read(spec.HeldOutFiles, spec.Columns, null), spec.MaxHeldOutTexts);
        return MaskedLanguageModeling.Train(encoder, training, heldOut, spec.Options, mlContext, cancellationToken);
    }

    /// <summary>
    /// Splits paragraphs into sentences at " . " (WikiText's tokenised full stops) and undoes WikiText's joins
    /// (<c>@-@</c>, <c>@,@</c>, <c>@.@</c>); heading lines (<c>= Title =</c>) are left out.
    /// </summary>
    internal static string[] Sentences(IEnumerable<string> texts, int? max)
    {
        var sentences = new List<string>();
        foreach (string text in texts)
        {
            string line = text.Trim();
            if (line.StartsWith('=') && line.EndsWith('='))
                continue;
            line = line.Replace(" @-@ ", "-", StringComparison.Ordinal).Replace(" @,@ ", ",", StringComparison.Ordinal).Replace(" @.@ ", ".", StringComparison.Ordinal);
            foreach (string part in line.Split(" . ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (sentences.Count >= (max ?? int.MaxValue))
                    return [.. sentences];
                sentences.Add(part);
            }
        }
        return [.. sentences];
    }
}
