using Microsoft.ML;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.ContextCompression;

/// <summary>What <c>mlnetext train context-reconstruction</c> asks for.</summary>
public sealed class ContextReconstructionRunSpec
{
    /// <summary>Tab-separated training file with a header row.</summary>
    public required string TrainPath { get; init; }

    /// <summary>Tab-separated held-out file with a header row.</summary>
    public required string EvalPath { get; init; }

    /// <summary>The text column's header name in both files.</summary>
    public string Column { get; init; } = "sentence1";

    /// <summary>First N training texts; null for all.</summary>
    public int? MaxRows { get; init; }

    /// <summary>First N held-out texts; null for all.</summary>
    public int? MaxEvalRows { get; init; }

    /// <summary>Ratios to train and score, one run each.</summary>
    public IReadOnlyList<int> Ratios { get; init; } = [4, 8];

    /// <summary>Also train the baseline decoder, given zero vectors (<see cref="ContextReconstructionOptions.ZeroVectors"/>), first.</summary>
    public bool Baseline { get; init; }

    /// <summary>Pretrained encoder name or model folder.</summary>
    public string Encoder { get; init; } = "all-MiniLM-L6-v2";

    /// <summary>Texts per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Passes over the texts.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Stop after this many steps (null: all epochs).</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Batch texts of similar length (windows of this many batches; 0: off).</summary>
    public int LengthBucketBatches { get; init; }

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 5e-4;

    /// <summary>Fraction of warmup steps.</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>Word pieces per text.</summary>
    public int MaxTokens { get; init; } = 64;

    /// <summary>Seed.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Checkpoint folder (a rerun with the same settings resumes); each run keeps its own subfolder
    /// (<c>baseline</c>, <c>x4</c>, ...). Null for none.</summary>
    public string? CheckpointDirectory { get; init; }
}

/// <summary>Reads the texts and runs <see cref="ContextReconstructionTrainer"/> once per ratio (the library side of the CLI verb).</summary>
public static class ContextReconstructionRun
{
    /// <summary>One result per ratio, in order, after the baseline's when <see cref="ContextReconstructionRunSpec.Baseline"/> is set.</summary>
    /// <exception cref="InvalidDataException">A file lacks the column or a row lacks the field; the message names file and line.</exception>
    public static IReadOnlyList<ContextReconstructionResult> Execute(ContextReconstructionRunSpec spec, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        EncoderModel encoder = Directory.Exists(spec.Encoder) ? EncoderModel.Load(spec.Encoder) : PretrainedEncoders.Load(spec.Encoder);
        IReadOnlyList<string> train = ReadColumn(spec.TrainPath, spec.Column, spec.MaxRows);
        IReadOnlyList<string> held = ReadColumn(spec.EvalPath, spec.Column, spec.MaxEvalRows);
        var ml = new MLContext(seed: spec.Seed);
        var results = new List<ContextReconstructionResult>();
        // The baseline's vectors are zeros, so its ratio only sets how many; the first ratio's count is as good as any.
        var runs = spec.Ratios.Select(ratio => (Ratio: ratio, ZeroVectors: false));
        if (spec.Baseline)
            runs = runs.Prepend((spec.Ratios[0], true));
        foreach ((int ratio, bool zeroVectors) in runs)
        {
            var trainer = ml.Transforms.Text.TrainContextReconstruction(new ContextReconstructionOptions
            {
                Model = encoder, Ratio = ratio, ZeroVectors = zeroVectors, MaxTokens = spec.MaxTokens, TruncateLongText = true, Progress = progress,
                Training = new TrainingOptions
                {
                    BatchSize = spec.BatchSize, Epochs = spec.Epochs, MaxSteps = spec.MaxSteps, LearningRate = spec.LearningRate,
                    WarmupFraction = spec.WarmupFraction, LengthBucketBatches = spec.LengthBucketBatches, Seed = spec.Seed,
                    CheckpointDirectory = spec.CheckpointDirectory is null ? null : Path.Combine(spec.CheckpointDirectory, zeroVectors ? "baseline" : $"x{ratio}"),
                },
            });
            results.Add(trainer.Train(train, held, cancellationToken));
        }
        return results;
    }

    /// <summary>The non-empty values of <paramref name="column"/> (by header name) of a tab-separated file, up to <paramref name="limit"/>.</summary>
    /// <exception cref="InvalidDataException">The header lacks the column or a line lacks the field.</exception>
    public static IReadOnlyList<string> ReadColumn(string path, string column, int? limit)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new StreamReader(path);
        string header = reader.ReadLine() ?? throw new InvalidDataException($"{path}: the file is empty; expected a header row naming '{column}'.");
        int index = Array.IndexOf(header.Split('\t'), column);
        if (index < 0)
            throw new InvalidDataException($"{path}, line 1: no column '{column}' in the header (columns: {header.Replace('\t', ',')}).");
        var texts = new List<string>();
        int line = 1;
        for (string? text = reader.ReadLine(); text is not null && (limit is null || texts.Count < limit); text = reader.ReadLine())
        {
            line++;
            string[] fields = text.Split('\t');
            if (fields.Length <= index)
                throw new InvalidDataException($"{path}, line {line}: {fields.Length} fields, expected column {index + 1} ('{column}').");
            if (!string.IsNullOrWhiteSpace(fields[index]))
                texts.Add(fields[index]);
        }
        return texts;
    }
}
