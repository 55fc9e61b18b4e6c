using MLNetExt.Transforms.Attribution;

namespace MLNetExt.Evaluation.Faithfulness;

/// <summary>Settings of <see cref="FaithfulnessEvaluator"/>.</summary>
public sealed class FaithfulnessOptions
{
    /// <summary>Removal levels as fractions of the words (default ERASER's 1, 5, 10, 20, 50%).</summary>
    public IReadOnlyList<double> Levels { get; set; } = FaithfulnessMetrics.EraserLevels;

    /// <summary>The output explained and measured (default: the predicted class).</summary>
    public AttributionTarget Target { get; set; } = AttributionTarget.PredictedClass;

    /// <summary>How the methods take words out while attributing (default: deletion).</summary>
    public WordBaseline AttributionBaseline { get; set; } = WordBaseline.Remove;

    /// <summary>A baseline per method (ReAGent with sampled words, say); null or a null answer means <see cref="AttributionBaseline"/>.</summary>
    public Func<ITextAttributionMethod, WordBaseline?>? BaselineFor { get; set; }

    /// <summary>How the metrics take the rationale out or keep only it (default: deletion, as ERASER).</summary>
    public WordBaseline Removal { get; set; } = WordBaseline.Remove;

    /// <summary>
    /// Texts attributed and measured at once when every method is a perturbation method (occlusion, ReAGent,
    /// KernelSHAP, random); gradient methods run one text at a time. Results do not depend on it. Default 1.
    /// </summary>
    public int Parallelism { get; set; } = 1;

    /// <summary>Called after each text with the texts done and the total.</summary>
    public IProgress<(int Done, int Total)>? Progress { get; set; }
}
