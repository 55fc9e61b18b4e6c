using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Training;

using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Glue;

/// <summary>
/// Fine-tunes an encoder on a GLUE task (SST-2, MRPC, CoLA, RTE, STS-B) and scores it on dev with the GLUE evaluator,
/// and by default also runs the frozen-encoder baseline (<see cref="FrozenEncoderBaseline"/>) on the same rows.
/// <c>mlnetext train classify</c> is this service on the command line.
/// </summary>
public static class GlueBenchmark
{
    /// <summary>Reads the task's files, trains and scores what <see cref="GlueBenchmarkOptions.Mode"/> asks for.</summary>
    /// <param name="options">What to run; validated, not changed.</param>
    /// <param name="progress">Receives a report after every fine-tuning step, on the training thread.</param>
    /// <param name="cancellationToken">Stops training (at the next step) and embedding (at the next batch).</param>
    /// <exception cref="FileNotFoundException">The task's training or dev file is missing.</exception>
    public static GlueBenchmarkResult Run(GlueBenchmarkOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        GlueTask task = options.Task;
        EncoderFineTuningOptions fineTuning = options.FineTuning.Clone();
        int seed = fineTuning.Training.Seed;
        string folder = TaskFolder(task, options.DataFolder);
        string trainFile = Path.Combine(folder, "train.tsv");
        if (!File.Exists(trainFile))
            throw new FileNotFoundException($"No training file '{trainFile}' (GLUE {task.Name} ships train.tsv; the shared RTE folder has only dev.tsv).", trainFile);

        IReadOnlyList<GlueExample> train = GlueReader.Read(task, trainFile, labelsRequired: true);
        if (options.MaxTrainRows is int max && max < train.Count)
        {
            GlueExample[] shuffled = [.. train];
            new Random(seed).Shuffle(shuffled);
            train = shuffled[..max];
        }
        IReadOnlyList<GlueExample> dev = GlueReader.ReadDev(task, folder);
        EncoderModel encoder = fineTuning.ResolveEncoder();

        FineTunedGlueResult? fineTuned = options.Mode is GlueBenchmarkMode.FineTune or GlueBenchmarkMode.Both
            ? FineTune(task, train, dev, fineTuning, options.ValidateOnDev, options.OutputFolder, progress, cancellationToken)
            : null;
        FrozenBaselineResult? baseline = options.Mode is GlueBenchmarkMode.Frozen or GlueBenchmarkMode.Both
            ? FrozenEncoderBaseline.Run(task, train, dev, encoder, seed, cancellationToken)
            : null;
        return new GlueBenchmarkResult
        {
            Task = task.Name,
            TrainRows = train.Count,
            DevRows = dev.Count,
            Epochs = fineTuning.Training.Epochs,
            BatchSize = fineTuning.Training.BatchSize,
            LearningRate = fineTuning.Training.LearningRate,
            MaxTokens = fineTuning.MaxTokens,
            Seed = seed,
            Encoder = encoder.Name,
            Threads = Environment.ProcessorCount,
            FineTuned = fineTuned,
            FrozenBaseline = baseline,
        };
    }

    /// <summary>The folder holding the task's files: <paramref name="dataFolder"/> itself, or its sub-folder named after the task (<c>sst2</c>, <c>stsb</c>, ...).</summary>
    public static string TaskFolder(GlueTask task, string dataFolder)
    {
        ArgumentNullException.ThrowIfNull(task);
        string key = task.Name.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        return File.Exists(Path.Combine(dataFolder, "train.tsv")) || File.Exists(Path.Combine(dataFolder, task.DevFile))
            ? dataFolder : Path.Combine(dataFolder, key);
    }

    private sealed class GlueRow
    {
        public string Sentence { get; set; } = "";
        public string Sentence2 { get; set; } = "";
        public string LabelText { get; set; } = "";
        public float Label { get; set; }
    }

    private sealed class LabelName
    {
        public string LabelText { get; set; } = "";
    }

    private static FineTunedGlueResult FineTune(GlueTask task, IReadOnlyList<GlueExample> train, IReadOnlyList<GlueExample> dev,
        EncoderFineTuningOptions options, bool validateOnDev, string? outputFolder, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var ml = new MLContext(options.Training.Seed);
        IDataView data = ToDataView(ml, task, train);
        if (validateOnDev)
        {
            options.ValidationSet = ToDataView(ml, task, dev);
            options.ValidationMetric ??= GlueBenchmarkOptions.ValidationMetric(task);
        }
        options.LabelColumnName = "Label";
        options.SentenceColumnName = nameof(GlueRow.Sentence);
        options.SecondSentenceColumnName = task.IsPairTask ? nameof(GlueRow.Sentence2) : null;
        options.Progress = progress ?? options.Progress;
        EncoderFineTuningTrainer trainer = task.IsRegression
            ? ml.Regression.Trainers.EncoderSentenceSimilarity(options)
            : ml.MulticlassClassification.Trainers.EncoderTextClassification(options);

        var clock = Stopwatch.StartNew();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        EncoderFineTuningTransformer fitted = trainer.Fit(data, cancellationToken);
        try
        {
            double fitSeconds = clock.Elapsed.TotalSeconds;
            double fitCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;

            var evalClock = Stopwatch.StartNew();
            float[][] outputs = fitted.Predict(dev.Select(d => d.Sentence1).ToArray(), task.IsPairTask ? dev.Select(d => d.Sentence2).ToArray() : null);
            IReadOnlyDictionary<string, double> metrics = task.IsRegression
                ? GlueEvaluator.Evaluate(task, dev.Select(d => (double)d.Score).ToArray(), outputs.Select(o => (double)o[0]).ToArray()).ByName
                : GlueEvaluator.Evaluate(task, dev.Select(d => d.LabelIndex).ToArray(), outputs.Select(o => Array.IndexOf(o, o.Max())).ToArray()).ByName;
            double evalSeconds = evalClock.Elapsed.TotalSeconds;

            if (outputFolder is not null)
            {
                fitted.Save(Path.Combine(outputFolder, "model.zip"));
                fitted.ExportOnnx(Path.Combine(outputFolder, "model.onnx"));
            }
            TrainingResult run = fitted.TrainingResult!;
            return new FineTunedGlueResult
            {
                ValidationMetric = validateOnDev ? options.ValidationMetric : null,
                Evaluations = run.Evaluations.Select(e => new GlueEvaluationPoint(e.Step, e.Metrics)).ToList(),
                FinalStep = run.RestoredBestModel ? run.BestStep : run.Steps,
                Dev = metrics,
                FitSeconds = fitSeconds,
                FitCpuSeconds = fitCpuSeconds,
                LoadAverage1m = LoadAverage(),
                TrainingStepSeconds = run.TrainingSeconds,
                SecondsPerEpoch = run.TrainingSeconds / options.Training.Epochs,
                TrainingSentencesPerSecond = run.RowsPerSecond * (task.IsPairTask ? 2 : 1),
                TrainingRowsPerSecond = run.RowsPerSecond,
                BatchPreparationFraction = run.BatchPreparationSeconds / Math.Max(1e-9, run.TrainingSeconds),
                MeanLoss = double.IsNaN(run.MeanLoss) ? null : run.MeanLoss, // NaN: no step left to run after a resume
                Steps = run.Steps,
                ResumedFromStep = run.ResumedFromStep,
                DevInferenceSeconds = evalSeconds,
                FreezeEncoder = options.FreezeEncoder,
            };
        }
        finally
        {
            // The run owns the model it trained (it is not IDisposable: see IOwnedTransformer).
            fitted.Dispose();
        }
    }

    /// <summary>GLUE examples as the rows the fine-tuning trainers read; for classification, key i + 1 is class i of the task (GLUE's label order), whatever order the rows come in.</summary>
    private static IDataView ToDataView(MLContext ml, GlueTask task, IReadOnlyList<GlueExample> examples)
    {
        IDataView data = ml.Data.LoadFromEnumerable(examples.Select(e => new GlueRow { Sentence = e.Sentence1, Sentence2 = e.Sentence2, LabelText = e.Label, Label = e.Score }).ToArray());
        if (task.IsRegression)
            return data;
        IDataView keys = ml.Data.LoadFromEnumerable(task.Labels!.Select(l => new LabelName { LabelText = l }).ToArray());
        return ml.Transforms.Conversion.MapValueToKey("Label", nameof(GlueRow.LabelText), keyData: keys).Fit(data).Transform(data);
    }

    private static double? LoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
