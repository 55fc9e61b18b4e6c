using System.Diagnostics;
using Microsoft.ML;
using MLNetExt.Transforms.Attribution;

namespace MLNetExt.Trainers.Attribution;

/// <summary>Settings of <see cref="TextExplainer.Explain"/>.</summary>
public sealed class TextExplanationOptions
{
    /// <summary>The model file: a fine-tuned model.zip (<c>train classify --out</c>), a <c>SaveWithEncoders</c> pipeline or an ML.NET model file.</summary>
    public string Model { get; set; } = "";

    /// <summary>The method's short name (see <see cref="AttributionMethodSettings.MethodNames"/>; default occlusion).</summary>
    public string Method { get; set; } = "occlusion";

    /// <summary>How the method is made (seed, samples, call cap, steps, word cap).</summary>
    public AttributionMethodSettings MethodSettings { get; set; } = new();

    /// <summary>The model's text column, when the model file does not say (ML.NET files: the first text column of the saved schema).</summary>
    public string? TextColumnName { get; set; }

    /// <summary>The output explained (default: the model's own score column, <c>Score</c>).</summary>
    public string? ScoreColumnName { get; set; }

    /// <summary>The output value explained (default: the predicted class).</summary>
    public AttributionTarget Target { get; set; } = AttributionTarget.PredictedClass;

    /// <summary>How a fine-tuned model is served (int8 graph, ONNX Runtime threads); null (default) serves it as saved.</summary>
    public MLNetExt.Trainers.FineTuning.FineTunedRuntimeOptions? Runtime { get; set; }

    /// <summary>
    /// Texts explained at once by the perturbation methods (occlusion, ReAGent, KernelSHAP, random), each with its own
    /// model passes; results do not depend on it (each text's random choices are seeded from the text). Gradient methods
    /// explain one text at a time. Default 1.
    /// </summary>
    public int Parallelism { get; set; } = 1;

    /// <summary>
    /// Texts whose unperturbed and first-pass perturbed rows (all of occlusion's and KernelSHAP's) are scored in one
    /// model pass (see <see cref="PerturbationAttribution.Attribute(IReadOnlyList{TextInstance}, WordBaseline, AttributionTarget, CancellationToken)"/>);
    /// each group is one unit of <see cref="Parallelism"/>. Results do not depend on it. Default 1 (each text its own pass).
    /// </summary>
    public int TextsPerPass { get; set; } = 1;

    /// <summary>Texts whose words ReAGent draws replacements from (default: the explained texts).</summary>
    public IReadOnlyList<string>? ReplacementCorpus { get; set; }

    /// <summary>Called after each text with the texts done and the total.</summary>
    public IProgress<(int Done, int Total)>? Progress { get; set; }

    /// <summary>
    /// After the attributions, also time the model's plain scoring of the same texts, unperturbed, through the same
    /// served model with the same parallelism (<see cref="TextExplanationResult.PlainScoring"/>): the most model calls
    /// per second the attribution could reach. Default false.
    /// </summary>
    public bool TimePlainScoring { get; set; }
}

/// <summary>What <see cref="TextExplainer.Explain"/> produced.</summary>
/// <param name="Model">What was explained.</param>
/// <param name="Method">The method's name.</param>
/// <param name="Attributions">One attribution per text, in order.</param>
/// <param name="Seconds">Wall time of the attributions (model loading not counted).</param>
public sealed record TextExplanationResult(string Model, string Method, IReadOnlyList<TextAttribution> Attributions, double Seconds)
{
    /// <summary>Texts explained per second of wall time.</summary>
    public double TextsPerSecond => Attributions.Count / Math.Max(Seconds, 1e-9);

    /// <summary>Mean model calls per text.</summary>
    public double ModelCallsPerText => Attributions.Count == 0 ? 0 : Attributions.Average(a => (double)a.ModelCalls);

    /// <summary>Model calls (scored rows) per second of wall time.</summary>
    public double ModelCallsPerSecond => Attributions.Sum(a => (double)a.ModelCalls) / Math.Max(Seconds, 1e-9);

    /// <summary>Processor time of the whole process (all threads) during the attributions, in seconds.</summary>
    public double CpuSeconds { get; init; }

    /// <summary>Texts explained per second of processor time: the rate on a machine whose cores are all free, per core.</summary>
    public double TextsPerCpuSecond => Attributions.Count / Math.Max(CpuSeconds, 1e-9);

    /// <summary>The model's plain scoring of the same texts, when <see cref="TextExplanationOptions.TimePlainScoring"/> asked for it.</summary>
    public ScoringTime? PlainScoring { get; init; }
}

/// <summary>How long a model took to score rows.</summary>
/// <param name="Rows">Rows scored.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="CpuSeconds">Processor time of the whole process meanwhile.</param>
public sealed record ScoringTime(int Rows, double Seconds, double CpuSeconds)
{
    /// <summary>Rows per second of wall time.</summary>
    public double RowsPerSecond => Rows / Math.Max(Seconds, 1e-9);

    /// <summary>Rows per second of processor time.</summary>
    public double RowsPerCpuSecond => Rows / Math.Max(CpuSeconds, 1e-9);
}

/// <summary>
/// The service behind <c>mlnetext explain</c>: loads a model file, makes the named attribution method, and explains
/// texts word by word. Show the result with <c>AttributionHtmlReport</c> and <c>AttributionHeatStrip</c>
/// (MLNetExt.Evaluation.Reports).
/// </summary>
public static class TextExplainer
{
    /// <summary>Explains each text of <paramref name="texts"/> (single texts; pair models are explained from C# with <c>ExplainText</c>).</summary>
    /// <exception cref="ArgumentException">No texts, an unknown method, or a method that cannot explain the model.</exception>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="InvalidDataException">The model file is of no supported kind.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static TextExplanationResult Explain(TextExplanationOptions options, IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
            throw new ArgumentException("Give at least one text to explain.", nameof(texts));
        AttributionMethodSettings.CheckNames([options.Method]);
        AttributionMethodSettings.CheckRuntime([options.Method], options.Runtime);
        if (options.Parallelism < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.Parallelism, $"Parallelism must be at least 1, got {options.Parallelism}.");
        if (options.TextsPerPass < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.TextsPerPass, $"TextsPerPass must be at least 1, got {options.TextsPerPass}.");
        var ml = new MLContext(options.MethodSettings.Seed);
        using ExplainableModel model = ExplainableModel.Load(ml, options.Model, options.TextColumnName, options.ScoreColumnName, options.Runtime);
        if (model.PairColumnName is not null)
            throw new ArgumentException($"{options.Model} reads text pairs ('{model.TextColumnName}', '{model.PairColumnName}'); explain pair models from C# with ExplainText and a pair column.", nameof(options));
        ExplainedTextModel explained = model.ToExplained(ml);
        ITextAttributionMethod method = options.MethodSettings.Create(options.Method, explained);
        try
        {
            MaskedWordPredictor? predictor = null;
            WordBaseline baseline = method is ReAgentAttribution
                ? options.MethodSettings.ReAgentBaseline(() => options.ReplacementCorpus ?? texts, out predictor)
                : WordBaseline.Remove;
            using var ownedPredictor = predictor;
            var results = new TextAttribution[texts.Count];
            using var process = Process.GetCurrentProcess();
            TimeSpan cpu = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            int done = 0;
            // Perturbation methods take texts in groups whose first passes are scored together; gradient methods one at a time.
            var perturbation = method as PerturbationAttribution;
            int group = perturbation is null ? 1 : options.TextsPerPass;
            int groups = (texts.Count + group - 1) / group;
            void ExplainGroup(int g)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int from = g * group, count = Math.Min(group, texts.Count - from);
                if (perturbation is null)
                {
                    results[from] = method.Attribute(TextInstance.Create(texts[from]), baseline, options.Target, cancellationToken);
                }
                else
                {
                    TextInstance[] inputs = texts.Skip(from).Take(count).Select(t => TextInstance.Create(t)).ToArray();
                    perturbation.Attribute(inputs, baseline, options.Target, cancellationToken).ToArray().CopyTo(results, from);
                }
                options.Progress?.Report((Interlocked.Add(ref done, count), texts.Count));
            }
            int parallelism = perturbation is null ? 1 : Math.Min(options.Parallelism, groups);
            if (parallelism == 1)
            {
                for (int g = 0; g < groups; g++)
                    ExplainGroup(g);
            }
            else
            {
                try
                {
                    Parallel.For(0, groups, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, ExplainGroup);
                }
                catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
                {
                    // The first failure as the sequential loop would have thrown it.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
                }
            }
            double seconds = clock.Elapsed.TotalSeconds;
            process.Refresh();
            double cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
            return new TextExplanationResult(model.Description, method.Name, results, seconds)
            {
                CpuSeconds = cpuSeconds,
                PlainScoring = options.TimePlainScoring ? TimePlainScoring(explained, texts, Math.Min(options.Parallelism, texts.Count), cancellationToken) : null,
            };
        }
        finally
        {
            (method as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Scores the texts unperturbed, cut into <paramref name="parallelism"/> contiguous parts scored at once, each in one
    /// batched pass (length-sorted batches with no attribution work around them).
    /// </summary>
    private static ScoringTime TimePlainScoring(ExplainedTextModel model, IReadOnlyList<string> texts, int parallelism, CancellationToken cancellationToken)
    {
        TextPair[] rows = texts.Select(t => TextInstance.Create(t).Original).ToArray();
        int part = (rows.Length + parallelism - 1) / parallelism;
        using var process = Process.GetCurrentProcess();
        TimeSpan cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, parallelism, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            p => model.Score(rows[Math.Min(rows.Length, p * part)..Math.Min(rows.Length, (p + 1) * part)], cancellationToken));
        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return new ScoringTime(rows.Length, seconds, (process.TotalProcessorTime - cpu).TotalSeconds);
    }

    /// <summary>
    /// Reads texts from a file: a tab-separated file with a header (the column named <paramref name="column"/>, else
    /// one called sentence or text, else the first), or plain text with one text per line (empty lines skipped).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="column">The column of a tab-separated file, or null.</param>
    /// <param name="maxRows">Texts read at most, or null for all.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The named column is missing, a row lacks it, or the file has no text (the message names file and line).</exception>
    public static IReadOnlyList<string> ReadTexts(string path, string? column = null, int? maxRows = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Text file '{path}' does not exist.", path);
        using var reader = new StreamReader(path);
        string? header = reader.ReadLine();
        var texts = new List<string>();
        int limit = maxRows ?? int.MaxValue;
        if (header is null)
            throw new InvalidDataException($"{path}: the file is empty; expected one text per line or a tab-separated file with a header.");
        if (!header.Contains('\t') && column is null)
        {
            for (string? line = header; line is not null && texts.Count < limit; line = reader.ReadLine())
            {
                if (line.Trim().Length > 0)
                    texts.Add(line);
            }
            return texts;
        }
        string[] names = header.Split('\t');
        int index = column is not null
            ? Array.FindIndex(names, n => string.Equals(n.Trim(), column, StringComparison.OrdinalIgnoreCase))
            : Array.FindIndex(names, n => n.Trim().ToLowerInvariant() is "sentence" or "text");
        if (index < 0 && column is not null)
            throw new InvalidDataException($"{path}, line 1: no column '{column}' in the header (columns: {string.Join(", ", names)}).");
        index = Math.Max(index, 0);
        int lineNumber = 1;
        for (string? line = reader.ReadLine(); line is not null && texts.Count < limit; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Length == 0)
                continue;
            string[] fields = line.Split('\t');
            if (index >= fields.Length)
                throw new InvalidDataException($"{path}, line {lineNumber}: expected at least {index + 1} tab-separated fields for column '{names[index]}', got {fields.Length}.");
            texts.Add(fields[index]);
        }
        if (texts.Count == 0)
            throw new InvalidDataException($"{path}: no rows below the header.");
        return texts;
    }
}
