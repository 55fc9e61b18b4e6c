namespace MLNetExt.Evaluation.Glue;

/// <summary>
/// One row of a GLUE file, shaped for <c>mlContext.Data.LoadFromEnumerable</c>: text in <see cref="Sentence1"/>
/// (and <see cref="Sentence2"/> for pair tasks), the label as written, its class index, and the STS-B score.
/// </summary>
public sealed class GlueExample
{
    /// <summary>The first (or only) text.</summary>
    public string Sentence1 { get; set; } = "";

    /// <summary>The second text of a pair task; empty for single-sentence tasks.</summary>
    public string Sentence2 { get; set; } = "";

    /// <summary>The label as written in the file (e.g. "1", "entailment"); empty when the file has no labels or for STS-B.</summary>
    public string Label { get; set; } = "";

    /// <summary>The class index of <see cref="Label"/> in the task's label list; -1 for STS-B or unlabelled rows.</summary>
    public int LabelIndex { get; set; } = -1;

    /// <summary>The STS-B similarity score (0-5); NaN for classification tasks.</summary>
    public float Score { get; set; } = float.NaN;

    /// <summary>The 1-based line of the row in its file.</summary>
    public int Line { get; set; }
}
