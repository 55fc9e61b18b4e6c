namespace MLNetExt.Evaluation.Glue;

/// <summary>The measures GLUE reports.</summary>
public enum GlueMetric
{
    /// <summary>Share of correct predictions.</summary>
    Accuracy,

    /// <summary>F1 of the positive class (label 1).</summary>
    F1,

    /// <summary>Matthews correlation coefficient.</summary>
    MatthewsCorrelation,

    /// <summary>Pearson correlation (STS-B).</summary>
    Pearson,

    /// <summary>Spearman correlation (STS-B).</summary>
    Spearman,
}

/// <summary>
/// One GLUE task: where its text and label sit in the official tsv files, its label set (in the order of the
/// Hugging Face <c>glue</c> dataset, so that index i means the same class there and here) and its measures.
/// </summary>
public sealed class GlueTask
{
    private GlueTask(string name, string devFile, string? sentence1, string? sentence2, string label,
        IReadOnlyList<string>? labels, IReadOnlyList<GlueMetric> metrics, int noHeaderSentence = -1, int noHeaderLabel = -1)
    {
        Name = name;
        DevFile = devFile;
        Sentence1Column = sentence1;
        Sentence2Column = sentence2;
        LabelColumn = label;
        Labels = labels;
        Metrics = metrics;
        NoHeaderSentenceIndex = noHeaderSentence;
        NoHeaderLabelIndex = noHeaderLabel;
    }

    /// <summary>The task name as GLUE spells it (CoLA, SST-2, ...).</summary>
    public string Name { get; }

    /// <summary>File name of the dev split inside the task folder.</summary>
    public string DevFile { get; }

    /// <summary>Header name of the first text column (null for CoLA, which has no header).</summary>
    public string? Sentence1Column { get; }

    /// <summary>Header name of the second text column, or null for single-sentence tasks.</summary>
    public string? Sentence2Column { get; }

    /// <summary>Header name of the label column.</summary>
    public string LabelColumn { get; }

    /// <summary>The class labels as written in the files, index = class; null for the regression task STS-B.</summary>
    public IReadOnlyList<string>? Labels { get; }

    /// <summary>True for STS-B (a 0-5 similarity score instead of classes).</summary>
    public bool IsRegression => Labels is null;

    /// <summary>True when the task pairs two texts.</summary>
    public bool IsPairTask => Sentence2Column is not null;

    /// <summary>The task's measures; the first is the primary one.</summary>
    public IReadOnlyList<GlueMetric> Metrics { get; }

    /// <summary>True when the files have a header line (all but CoLA).</summary>
    public bool HasHeader => NoHeaderLabelIndex < 0;

    /// <summary>Field index of the sentence in header-less files (CoLA: 3).</summary>
    internal int NoHeaderSentenceIndex { get; }

    /// <summary>Field index of the label in header-less files (CoLA: 1).</summary>
    internal int NoHeaderLabelIndex { get; }

    private static readonly string[] Binary = ["0", "1"];
    private static readonly string[] Entailment2 = ["entailment", "not_entailment"];

    /// <summary>Corpus of Linguistic Acceptability: no header; source, label, original mark, sentence. Matthews correlation.</summary>
    public static GlueTask CoLA { get; } = new("CoLA", "dev.tsv", null, null, "label", Binary, [GlueMetric.MatthewsCorrelation], noHeaderSentence: 3, noHeaderLabel: 1);

    /// <summary>Stanford Sentiment Treebank (binary): sentence, label. Accuracy.</summary>
    public static GlueTask Sst2 { get; } = new("SST-2", "dev.tsv", "sentence", null, "label", Binary, [GlueMetric.Accuracy]);

    /// <summary>Microsoft Research Paraphrase Corpus: Quality, ids, #1 String, #2 String. F1 and accuracy.</summary>
    public static GlueTask Mrpc { get; } = new("MRPC", "dev.tsv", "#1 String", "#2 String", "Quality", Binary, [GlueMetric.F1, GlueMetric.Accuracy]);

    /// <summary>Quora Question Pairs: question1, question2, is_duplicate. F1 and accuracy.</summary>
    public static GlueTask Qqp { get; } = new("QQP", "dev.tsv", "question1", "question2", "is_duplicate", Binary, [GlueMetric.F1, GlueMetric.Accuracy]);

    /// <summary>Semantic Textual Similarity Benchmark: sentence1, sentence2, score (0-5). Pearson and Spearman.</summary>
    public static GlueTask StsB { get; } = new("STS-B", "dev.tsv", "sentence1", "sentence2", "score", null, [GlueMetric.Pearson, GlueMetric.Spearman]);

    /// <summary>Multi-Genre NLI (matched dev): sentence1, sentence2, gold_label. Accuracy.</summary>
    public static GlueTask Mnli { get; } = new("MNLI", "dev_matched.tsv", "sentence1", "sentence2", "gold_label", ["entailment", "neutral", "contradiction"], [GlueMetric.Accuracy]);

    /// <summary>Question NLI: question, sentence, label. Accuracy.</summary>
    public static GlueTask Qnli { get; } = new("QNLI", "dev.tsv", "question", "sentence", "label", Entailment2, [GlueMetric.Accuracy]);

    /// <summary>Recognizing Textual Entailment: sentence1, sentence2, label. Accuracy.</summary>
    public static GlueTask Rte { get; } = new("RTE", "dev.tsv", "sentence1", "sentence2", "label", Entailment2, [GlueMetric.Accuracy]);

    /// <summary>Winograd NLI: sentence1, sentence2, label (0/1). Accuracy.</summary>
    public static GlueTask Wnli { get; } = new("WNLI", "dev.tsv", "sentence1", "sentence2", "label", Binary, [GlueMetric.Accuracy]);

    /// <summary>All nine tasks.</summary>
    public static IReadOnlyList<GlueTask> All { get; } = [CoLA, Sst2, Mrpc, Qqp, StsB, Mnli, Qnli, Rte, Wnli];

    /// <summary>Finds a task by name, ignoring case and dashes ("sst2", "SST-2", "sts-b").</summary>
    /// <exception cref="ArgumentException">No task has that name.</exception>
    public static GlueTask FromName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        static string Key(string s) => s.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        return All.FirstOrDefault(t => Key(t.Name) == Key(name))
            ?? throw new ArgumentException($"Unknown GLUE task '{name}'; expected one of {string.Join(", ", All.Select(t => t.Name))}.", nameof(name));
    }

    /// <summary>The class index of a label as written in the files, or -1 when it is not one of <see cref="Labels"/>.</summary>
    public int LabelIndex(string label) => Labels is null ? -1 : Labels.ToList().IndexOf(label.Trim());

    /// <inheritdoc />
    public override string ToString() => Name;
}
