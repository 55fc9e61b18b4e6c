using MLNetExt.Evaluation.Glue;
using MLNetExt.Trainers.FineTuning;

namespace MLNetExt.Trainers.Glue;

/// <summary>Options of <see cref="GlueBenchmark.Run"/>: which GLUE task, which rows, which models, where to save.</summary>
public sealed class GlueBenchmarkOptions
{
    /// <summary>The tasks <see cref="GlueBenchmark"/> trains (SST-2, MRPC, CoLA, RTE, STS-B).</summary>
    public static IReadOnlyList<GlueTask> SupportedTasks { get; } = [GlueTask.Sst2, GlueTask.Mrpc, GlueTask.CoLA, GlueTask.Rte, GlueTask.StsB];

    /// <summary>The GLUE task; one of <see cref="SupportedTasks"/>.</summary>
    public GlueTask Task { get; set; } = GlueTask.Sst2;

    /// <summary>The task's folder (train.tsv and the dev file), or a folder holding one sub-folder per task (<c>sst2/</c>, <c>mrpc/</c>, ...).</summary>
    public string DataFolder { get; set; } = "";

    /// <summary>Train on at most this many rows, a random sample drawn with <see cref="TrainingOptions.Seed"/>; null uses all.</summary>
    public int? MaxTrainRows { get; set; }

    /// <summary>Which models to train and score.</summary>
    public GlueBenchmarkMode Mode { get; set; } = GlueBenchmarkMode.Both;

    /// <summary>
    /// The encoder and fine-tuning settings (encoder, batch size, epochs, learning rate, max tokens, seed, checkpoints).
    /// The column names and the progress sink are set by the run. The frozen baseline uses the same encoder and seed.
    /// </summary>
    public EncoderFineTuningOptions FineTuning { get; set; } = new() { Training = new() { Epochs = 1 } };

    /// <summary>
    /// Score dev during training (at each epoch end, or every <see cref="TrainingOptions.EvaluateEverySteps"/> steps) by
    /// the task's GLUE measure (<see cref="ValidationMetric"/>); the model ends with the best evaluation's weights unless
    /// <see cref="TrainingOptions.KeepBestModel"/> is off, and <see cref="TrainingOptions.EarlyStoppingPatience"/> applies.
    /// Dev then selects the model, so its final score is an optimistic estimate (as in the published GLUE grids).
    /// </summary>
    public bool ValidateOnDev { get; set; }

    /// <summary>The fine-tuning measure GLUE reports first for <paramref name="task"/>: accuracy (SST-2, RTE), f1 (MRPC), mcc (CoLA), spearman (STS-B).</summary>
    public static string ValidationMetric(GlueTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.IsRegression ? "spearman" : task.Metrics[0] switch
        {
            GlueMetric.F1 => "f1",
            GlueMetric.MatthewsCorrelation => "mcc",
            _ => "accuracy",
        };
    }

    /// <summary>Folder to save the fine-tuned model into (<c>model.zip</c> and <c>model.onnx</c>); null saves nothing.</summary>
    public string? OutputFolder { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Task);
        ArgumentNullException.ThrowIfNull(FineTuning);
        if (!SupportedTasks.Contains(Task))
            throw new ArgumentException($"Task {Task.Name} is not trained here; supported: {string.Join(", ", SupportedTasks.Select(t => t.Name))}.", nameof(Task));
        if (string.IsNullOrWhiteSpace(DataFolder))
            throw new ArgumentException("DataFolder is required.", nameof(DataFolder));
        if (MaxTrainRows is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxTrainRows), MaxTrainRows, "MaxTrainRows must be at least 1.");
        if (Mode == GlueBenchmarkMode.Frozen && OutputFolder is not null)
            throw new ArgumentException("OutputFolder saves the fine-tuned model; the frozen-baseline mode fine-tunes none.", nameof(OutputFolder));
    }
}
