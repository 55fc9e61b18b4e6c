using System.Globalization;
using MLNetExt.Estimators.Tuners;

namespace MLNetExt.Estimators.Compression;

/// <summary>
/// What <see cref="CompressionSweep.Run"/> searches: a sentence encoder (<see cref="Encoder"/>, quality = STS cosine
/// Spearman) or a fine-tuned classifier (<see cref="ModelPath"/> + <see cref="Task"/>, quality = the task's dev measure),
/// the compression search space, the speed constraint and the budget. The settings of <c>mlnetext auto compress</c>.
/// </summary>
public sealed class CompressionSweepOptions
{
    /// <summary>Sentence encoder to compress: pretrained name (<c>minilm</c>) or Hugging Face-layout folder. Null when <see cref="ModelPath"/> is given.</summary>
    public string? Encoder { get; set; }

    /// <summary>A fine-tuned classifier or regressor (model.zip from <c>train classify</c>). Null when <see cref="Encoder"/> is given.</summary>
    public string? ModelPath { get; set; }

    /// <summary>With <see cref="ModelPath"/>: the GLUE task it was fine-tuned on.</summary>
    public string? Task { get; set; }

    /// <summary>With <see cref="ModelPath"/>: the task's folder (train.tsv for head pruning, the dev file for quality and timing).</summary>
    public string? DataFolder { get; set; }

    /// <summary>
    /// The constraint: a trial is feasible when its measured speed, over the original's in the same trial, is at least
    /// this (greater than 1). Default 2.
    /// </summary>
    public double MinSpeedup { get; set; } = 2;

    /// <summary>Which speed ratio the constraint reads. Default <see cref="CompressionSpeedMeasure.Cpu"/>.</summary>
    public CompressionSpeedMeasure SpeedMeasure { get; set; } = CompressionSpeedMeasure.Cpu;

    /// <summary>Time budget of the sweep in seconds (the running trial is cut at the end unless it is the first). Default 900.</summary>
    public double TimeSeconds { get; set; } = 900;

    /// <summary>Most trials in all (resumed ones count); null for no limit.</summary>
    public int? MaxTrials { get; set; }

    /// <summary>Tuner name (<see cref="TunerFactory.Names"/>). Default <c>grid</c>: every configuration once, in a seeded random order.</summary>
    public string Tuner { get; set; } = "grid";

    /// <summary>Seed of the tuner, the samples and the training runs.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Folder of the trials, the checkpoint (running again resumes), the report and the chosen model. Required.</summary>
    public string OutputFolder { get; set; } = "";

    /// <summary>Layers kept (encoders only; each below the original's is a student distilled on <see cref="DistillTextPaths"/>). Null: all, two thirds and half of the original's.</summary>
    public IReadOnlyList<int>? Layers { get; set; }

    /// <summary>Shares of attention heads kept, in (0, 1]. Default 1 and 0.75.</summary>
    public IReadOnlyList<double> HeadsKept { get; set; } = [1, 0.75];

    /// <summary>Whether int8 is tried: both fp32 and int8 (default), or int8 only.</summary>
    public bool Int8Only { get; set; }

    /// <summary>Token keep schedules (fine-tuned classifiers only): <c>1</c> prunes none, a rate (<c>0.8</c>: layer l keeps 0.8^l), or one fraction per layer. Default 1, 0.9, 0.8.</summary>
    public IReadOnlyList<string>? TokenKeep { get; set; }

    /// <summary>Encoders: an STS file (e.g. STS-B dev) whose cosine Spearman is the quality measure. Required with <see cref="Encoder"/>.</summary>
    public string? StsPath { get; set; }

    /// <summary>Encoders: unlabelled text for distillation and head-pruning recovery (<c>.txt</c> or tab-separated with a header). Needed when fewer layers or heads are searched.</summary>
    public IReadOnlyList<string> DistillTextPaths { get; set; } = [];

    /// <summary>Encoders: header names read from tab-separated distillation files.</summary>
    public IReadOnlyList<string> DistillColumns { get; set; } = ["sentence1", "sentence2"];

    /// <summary>Encoders: at most this many distinct distillation texts; null for all.</summary>
    public int? MaxDistillTexts { get; set; }

    /// <summary>Encoders: longest input while distilling.</summary>
    public int MaxTokens { get; set; } = 128;

    /// <summary>Classifiers: training rows for head pruning and recovery (a seeded sample); null for all.</summary>
    public int? MaxTrainRows { get; set; }

    /// <summary>Epochs of distillation or recovery.</summary>
    public int Epochs { get; set; } = 1;

    /// <summary>Batch size of distillation, importance scoring and recovery.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Learning rate of distillation (default 1e-4) or a classifier's recovery (default 5e-5); null for those defaults.</summary>
    public double? LearningRate { get; set; }

    /// <summary>Batches over which head importance is accumulated.</summary>
    public int ImportanceBatches { get; set; } = 16;

    /// <summary>Encoders: texts timed per trial (from the STS file). Default 256.</summary>
    public int SpeedRows { get; set; } = 256;

    /// <summary>Timed rounds per trial, original and candidate alternating (best of each kept). Default 2.</summary>
    public int SpeedRounds { get; set; } = 2;

    /// <summary>Encoders: ONNX Runtime intra-op threads while timing and scoring; null lets ONNX Runtime choose.</summary>
    public int? Threads { get; set; }

    /// <summary>Whether the options describe an encoder sweep (else a classifier sweep).</summary>
    internal bool IsEncoder => ModelPath is null;

    /// <summary>Checks every option; the message names the option and its value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    /// <exception cref="ArgumentException">Options that do not go together, or a missing one.</exception>
    public void Validate()
    {
        if (!double.IsFinite(MinSpeedup) || MinSpeedup <= 1)
            throw new ArgumentOutOfRangeException(nameof(MinSpeedup), MinSpeedup,
                string.Create(CultureInfo.InvariantCulture, $"The minimum speed-up (--min-speedup) must be a number greater than 1 (the original runs at 1x); got {MinSpeedup}."));
        if (!(TimeSeconds > 0))
            throw new ArgumentOutOfRangeException(nameof(TimeSeconds), TimeSeconds, $"The time budget (--time) must be positive; got {TimeSeconds}.");
        if (MaxTrials is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxTrials), MaxTrials, $"The trial limit must be at least 1; got {MaxTrials}.");
        if (string.IsNullOrWhiteSpace(OutputFolder))
            throw new ArgumentException("The output folder is required.", nameof(OutputFolder));
        if ((Encoder is null) == (ModelPath is null))
            throw new ArgumentException("Give either an encoder to compress or a fine-tuned model (with its task), not both and not neither.", nameof(Encoder));
        if (!TunerFactory.Names.Contains(Tuner, StringComparer.OrdinalIgnoreCase))
            throw new ArgumentException($"Unknown tuner '{Tuner}'; expected one of {string.Join(", ", TunerFactory.Names)}.", nameof(Tuner));
        if (HeadsKept.Count == 0)
            throw new ArgumentException("Give at least one share of heads kept.", nameof(HeadsKept));
        foreach (double share in HeadsKept)
            if (!(share > 0 && share <= 1))
                throw new ArgumentOutOfRangeException(nameof(HeadsKept), share, string.Create(CultureInfo.InvariantCulture, $"Shares of heads kept must be in (0, 1]; got {share}."));
        foreach (var (value, name) in new[] { (Epochs, nameof(Epochs)), (BatchSize, nameof(BatchSize)), (ImportanceBatches, nameof(ImportanceBatches)), (SpeedRounds, nameof(SpeedRounds)), (MaxTokens, nameof(MaxTokens)) })
            if (value < 1)
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1; got {value}.");
        if (SpeedRows < 1)
            throw new ArgumentOutOfRangeException(nameof(SpeedRows), SpeedRows, $"The sweep measures speed: the speed rows must be at least 1; got {SpeedRows}.");
        if (Threads is < 1)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, $"Threads must be at least 1; got {Threads}.");
        if (IsEncoder)
        {
            if (StsPath is null)
                throw new ArgumentException("An encoder sweep needs an STS file for its quality measure (e.g. ../shared/data/stsb/dev.tsv).", nameof(StsPath));
            if (TokenKeep is { Count: > 0 } && TokenKeep.Any(t => t != CompressionConfiguration.NoTokenPruning))
                throw new ArgumentException($"Token keep schedules apply to fine-tuned classifiers; the encoder transform serves no token pruning (got {string.Join(";", TokenKeep)}).", nameof(TokenKeep));
            foreach (int layers in Layers ?? [])
                if (layers < 1)
                    throw new ArgumentOutOfRangeException(nameof(Layers), layers, $"Layers kept must be at least 1; got {layers}.");
            if (Layers is { Count: 0 })
                throw new ArgumentException("Give at least one layer count.", nameof(Layers));
        }
        else
        {
            if (string.IsNullOrWhiteSpace(Task) || string.IsNullOrWhiteSpace(DataFolder))
                throw new ArgumentException("A fine-tuned model needs its GLUE task and the task's data folder.", nameof(Task));
            if (Layers is not null)
                throw new ArgumentException("Layer dropping applies to encoders (distillation); a fine-tuned classifier's search has heads, int8 and token keep.", nameof(Layers));
            if (TokenKeep is { Count: 0 })
                throw new ArgumentException("Give at least one token keep schedule (1 prunes none).", nameof(TokenKeep));
            if (MaxTrainRows is < 1)
                throw new ArgumentOutOfRangeException(nameof(MaxTrainRows), MaxTrainRows, $"The training row cap must be at least 1; got {MaxTrainRows}.");
        }
    }
}
