using System.Diagnostics;
using Microsoft.ML;
using MLNetExt.Evaluation.Faithfulness;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Transforms.Attribution;

namespace MLNetExt.Trainers.Attribution;

/// <summary>Settings of <see cref="FaithfulnessExperiment"/>.</summary>
public sealed class FaithfulnessExperimentOptions
{
    /// <summary>The model file to explain, or <see cref="FaithfulnessExperiment.StockModel"/> to train the stock FeaturizeText + SDCA classifier on <see cref="TrainFile"/>.</summary>
    public string Model { get; set; } = "";

    /// <summary>The GLUE task whose file is read (default <c>sst2</c>).</summary>
    public string Task { get; set; } = "sst2";

    /// <summary>The evaluation file (e.g. SST-2 dev.tsv).</summary>
    public string DataFile { get; set; } = "";

    /// <summary>The training file of the stock classifier; also the corpus of ReAGent's sampled replacement words (the evaluated texts when null).</summary>
    public string? TrainFile { get; set; }

    /// <summary>Training rows of the stock classifier at most (default all).</summary>
    public int? MaxTrainRows { get; set; }

    /// <summary>Method names: occlusion, reagent, shap, ig, gxi, random (default all perturbation methods and random).</summary>
    public IReadOnlyList<string> Methods { get; set; } = ["occlusion", "reagent", "shap", "random"];

    /// <summary>Texts evaluated at most, from the top of the file (default all).</summary>
    public int? MaxRows { get; set; }

    /// <summary>
    /// Texts evaluated: a random sample of this many rows of the file (after <see cref="MaxRows"/>), drawn with the
    /// methods' seed and kept in file order; null (default) evaluates every row.
    /// </summary>
    public int? SampleRows { get; set; }

    /// <summary>How the methods are made; its seed also seeds the stock classifier's training.</summary>
    public AttributionMethodSettings MethodSettings { get; set; } = new();

    /// <summary>How a fine-tuned model is served (int8 graph, ONNX Runtime threads); null (default) serves it as saved. Int8 cannot go with the gradient methods, which read the fp32 weights.</summary>
    public MLNetExt.Trainers.FineTuning.FineTunedRuntimeOptions? Runtime { get; set; }

    /// <summary>Texts evaluated at once when every method is a perturbation method (see <see cref="FaithfulnessOptions.Parallelism"/>); default 1.</summary>
    public int Parallelism { get; set; } = 1;

    /// <summary>Also attribute with a weight-randomised copy of a fine-tuned model and report the rank agreement (gradient methods).</summary>
    public bool RandomizationCheck { get; set; }

    /// <summary>Called after each text.</summary>
    public IProgress<(int Done, int Total)>? Progress { get; set; }
}

/// <summary>What <see cref="FaithfulnessExperiment.Run"/> measured.</summary>
/// <param name="Model">What was explained.</param>
/// <param name="Task">The GLUE task.</param>
/// <param name="Rows">Texts read from the data file.</param>
/// <param name="Accuracy">The model's accuracy on those texts (argmax of the explained output against the labels).</param>
/// <param name="Faithfulness">Per-method faithfulness.</param>
/// <param name="RandomizationAgreement">Per method: mean Spearman correlation of attributions of the trained and the weight-randomised model; empty when not run.</param>
/// <param name="Seconds">Wall time of the whole run.</param>
public sealed record FaithfulnessExperimentResult(
    string Model, string Task, int Rows, double Accuracy, FaithfulnessResult Faithfulness,
    IReadOnlyDictionary<string, double> RandomizationAgreement, double Seconds);

/// <summary>
/// The faithfulness benchmark behind <c>mlnetext eval faithfulness</c>: loads (or trains) a text classifier, attributes
/// the texts of a GLUE file with each named method, and measures ERASER comprehensiveness and sufficiency.
/// </summary>
public static class FaithfulnessExperiment
{
    /// <summary>The model name that trains the stock FeaturizeText + SDCA classifier instead of loading a file.</summary>
    public const string StockModel = "featurize-text-sdca";

    /// <summary>Runs the benchmark.</summary>
    /// <exception cref="ArgumentException">An unknown method or task, or the stock model without a training file.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static FaithfulnessExperimentResult Run(FaithfulnessExperimentOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        AttributionMethodSettings.CheckNames(options.Methods);
        AttributionMethodSettings.CheckRuntime(options.Methods, options.Runtime);
        var clock = Stopwatch.StartNew();
        int seed = options.MethodSettings.Seed;
        var ml = new MLContext(seed);
        GlueTask task = GlueTask.FromName(options.Task);
        if (task.IsRegression || task.IsPairTask)
            throw new ArgumentException($"Task {task.Name}: the faithfulness benchmark reads single-sentence classification tasks (SST-2, CoLA).", nameof(options));
        IReadOnlyList<GlueExample> rows = GlueReader.Read(task, options.DataFile);
        if (options.MaxRows is int max && max < rows.Count)
            rows = rows.Take(max).ToArray();
        if (options.SampleRows is int sample && sample < rows.Count)
            rows = Sample(rows, sample, seed);

        using ExplainableModel model = LoadOrTrain(ml, task, options);
        ExplainedTextModel explained = model.ToExplained(ml);
        TextInstance[] texts = rows.Select(r => TextInstance.Create(r.Sentence1)).ToArray();
        float[][] outputs = explained.Score(texts.Select(t => t.Original).ToArray(), cancellationToken);
        double accuracy = rows.Select((r, i) => ArgMax(outputs[i]) == r.LabelIndex ? 1.0 : 0.0).Average();

        ITextAttributionMethod[] methods = options.Methods.Select(m => options.MethodSettings.Create(m, explained)).ToArray();
        // ReAGent's replacements: predicted by the masked-language-model folder when one is given, else words drawn from
        // the training file's unigram distribution (the evaluated texts' when none is given).
        WordBaseline sampled = options.MethodSettings.ReAgentBaseline(
            () => options.TrainFile is null ? rows.Select(r => r.Sentence1) : GlueReader.Read(task, options.TrainFile).Select(r => r.Sentence1),
            out MaskedWordPredictor? predictor);
        using var ownedPredictor = predictor;
        var evaluator = new FaithfulnessEvaluator(explained, new FaithfulnessOptions
        {
            Progress = options.Progress,
            Parallelism = options.Parallelism,
            BaselineFor = m => m is ReAgentAttribution ? sampled : null,
        });
        FaithfulnessResult result = evaluator.Evaluate(texts, methods, cancellationToken);

        var agreement = new Dictionary<string, double>();
        if (options.RandomizationCheck)
        {
            foreach (ITextAttributionMethod method in methods.Where(m => m is IntegratedGradientsAttribution))
            {
                var gradient = (IntegratedGradientsAttribution)method;
                using IntegratedGradientsAttribution randomized = gradient.WithRandomizedWeights(seed + 1);
                IReadOnlyList<TextAttribution> trained = result.Attributions[method.Name];
                // The same class as the trained model explained, so only the weights differ.
                TextAttribution[] random = texts.Where(t => t.Count > 0)
                    .Select((t, i) => randomized.Attribute(t, WordBaseline.Remove, AttributionTarget.Class(trained[i].TargetIndex), cancellationToken))
                    .ToArray();
                agreement[method.Name] = AttributionAgreement.MeanSpearman(trained, random);
            }
        }
        foreach (ITextAttributionMethod method in methods)
            (method as IDisposable)?.Dispose();
        return new FaithfulnessExperimentResult(model.Description, task.Name, rows.Count, accuracy, result, agreement, clock.Elapsed.TotalSeconds);
    }

    private static ExplainableModel LoadOrTrain(MLContext ml, GlueTask task, FaithfulnessExperimentOptions options)
    {
        if (options.Model != StockModel)
            return ExplainableModel.Load(ml, options.Model, runtime: options.Runtime);
        if (options.TrainFile is null)
            throw new ArgumentException($"The model '{StockModel}' is trained here: give the training file.", nameof(options));
        IReadOnlyList<GlueExample> train = GlueReader.Read(task, options.TrainFile);
        if (options.MaxTrainRows is int max && max < train.Count)
        {
            GlueExample[] shuffled = [.. train];
            new Random(options.MethodSettings.Seed).Shuffle(shuffled);
            train = shuffled[..max];
        }
        ITransformer model = StockTextClassifier.Train(ml, train.Select(e => (e.Sentence1, e.LabelIndex)).ToArray(), task.Labels!.Count);
        return new ExplainableModel(model, "Sentence", null, "Score", $"FeaturizeText + SDCA maximum entropy trained on {train.Count} rows of {options.TrainFile}");
    }

    /// <summary><paramref name="count"/> rows drawn without replacement with <paramref name="seed"/>, in file order.</summary>
    private static GlueExample[] Sample(IReadOnlyList<GlueExample> rows, int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, nameof(FaithfulnessExperimentOptions.SampleRows));
        int[] order = Enumerable.Range(0, rows.Count).ToArray();
        new Random(seed).Shuffle(order);
        return order.Take(count).Order().Select(i => rows[i]).ToArray();
    }

    private static int ArgMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
                best = i;
        }
        return best;
    }
}
