using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Estimators.Baselines;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Estimators.Tuners;
using MLNetExt.Transforms;
using MLNetExt.Transforms.IO;

namespace MLNetExt.Estimators.Experiments;

/// <summary>
/// A text sweep from files to a saved model (what <c>mlnetext auto classify|regress</c> runs): reads the data, scores
/// the zero-training baselines, sweeps featurizer + trainer configurations within the time budget (checkpointed, so
/// running again resumes), keeps the best on validation of the trials and the baselines, optionally refits it on
/// training + validation rows, saves it, and scores everything on a test file.
/// </summary>
/// <remarks>
/// The time budget is the sweep's: the baselines, the library-defaults comparison, the refit and the test scoring come on
/// top of it, each timed in the result. The best baseline is chosen when its
/// validation metric is at least the best trial's, and also when the trial is better on validation but not on at least
/// <see cref="TextSweepOptions.BaselineConfidence"/> of the paired bootstrap resamples of the validation rows: a sweep
/// returns a trained model only when the validation rows say it beats what a user gets without training beyond their
/// noise (see <see cref="TextSweepResult.BaselineComparison"/>). The saved model loads with <see cref="SweepModelFile.Load"/>.
/// </remarks>
/// <example><code>
/// TextSweepResult result = TextSweep.Run(new TextSweepOptions
/// {
///     Dataset = "stsb/train.tsv", LabelColumn = "score", TextColumns = ["sentence1", "sentence2"],
///     Task = SweepTask.Regression, Metric = "spearman", TimeSeconds = 180, OutputFolder = "out",
/// });
/// Console.WriteLine($"{result.Chosen.Pipeline}: {result.Chosen.Metric:F4}");
/// </code></example>
public static class TextSweep
{
    /// <summary>Runs the sweep; see the class remarks.</summary>
    /// <param name="options">What to sweep.</param>
    /// <param name="monitor">Hears about each trial; null for none.</param>
    /// <param name="log">Hears progress lines (baselines, refit, test scoring); null for none.</param>
    /// <param name="cancellationToken">Stops at once (the checkpoint keeps the finished trials).</param>
    public static TextSweepResult Run(TextSweepOptions options, IMonitor? monitor = null, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = Stopwatch.StartNew();
        string metric = options.Metric ?? SweepMetrics.Names(options.Task)[0];
        var ml = new MLContext(options.Seed);
        IReadOnlyList<string> textColumns = options.TextColumns;
        var dataset = TextDataset.Load(ml, options.Dataset, options.LabelColumn, textColumns, options.Task, options.MaxRows);
        IDataView train = dataset.Data, validation;
        TextDataset? validationFile = null;
        string validationDescription;
        long trainRows = dataset.RowCount;
        if (options.Validation is not null)
        {
            validationFile = TextDataset.Load(ml, options.Validation, options.LabelColumn, textColumns, options.Task);
            validation = validationFile.Data;
            validationDescription = string.Create(CultureInfo.InvariantCulture, $"{options.Validation} ({validationFile.RowCount} rows)");
        }
        else
        {
            var split = ml.Data.TrainTestSplit(dataset.Data, testFraction: 0.2, seed: options.Seed);
            train = split.TrainSet;
            validation = split.TestSet;
            trainRows = train.GetRowCount() ?? train.GetColumn<ReadOnlyMemory<char>>(textColumns[0]).LongCount();
            validationDescription = $"20% of {options.Dataset} held out";
        }

        SweepablePipeline pipeline = TextSweepPipelines.Create(options.Task, textColumns, options.Trainers, options.Featurizers, options.Seed);
        var runner = new TextPipelineRunner(pipeline, train, validation, options.LabelColumn, options.Task, metric, options.Seed);

        var baselines = new List<SweepCandidate>();
        if (options.Baselines)
        {
            string[] encoders = pipeline.Featurizers.Any(f => f.Name == "encoder") ? PretrainedEncoders.All.Select(e => e.Name).ToArray() : [];
            foreach (SweepBaseline baseline in SweepBaselines.For(options.Task, textColumns, encoders))
            {
                log?.Invoke($"Scoring the baseline {baseline.Name}...");
                baselines.Add(RunBaseline(runner, baseline, cancellationToken));
            }
        }
        double baselineSeconds = clock.Elapsed.TotalSeconds;

        string outDir = Path.GetFullPath(options.OutputFolder);
        string sweepDir = Path.Combine(outDir, "sweep");
        var experiment = new SweepExperiment()
            .SetSearchSpace(pipeline.SearchSpace)
            .SetTrialRunner(runner)
            .SetTuner(space => TunerFactory.Create(options.Tuner, space, options.Seed, options.MaxTrials ?? 100,
                ignoredChoices: pipeline.IgnoredChoices, convergence: options.Convergence))
            .SetTrainingTimeInSeconds(options.TimeSeconds)
            .SetCheckpoint(sweepDir);
        if (options.MaxTrials is int maxTrials)
            experiment.SetMaxTrials(maxTrials);
        if (monitor is not null)
            experiment.SetMonitor(monitor);
        TrialResult best = experiment.Run(cancellationToken);
        double sweepSeconds = clock.Elapsed.TotalSeconds - baselineSeconds;
        var sweepBest = new SweepCandidate
        {
            Pipeline = pipeline.Describe(best.TrialSettings.Parameter),
            Kind = SweepCandidateKind.Trial,
            TrialId = best.TrialSettings.TrialId,
            Metric = best.Metric,
            Loss = best.Loss,
            Validation = best.Metrics,
            Seconds = best.DurationInMilliseconds / 1000,
            Model = best.Model ?? throw new InvalidOperationException("The best trial has no model."),
        };
        SweepCandidate? bestBaseline = baselines.Where(b => b.Error is null).MinBy(b => b.Loss);
        BaselineComparison? comparison = bestBaseline is null ? null : Compare(runner, sweepBest, bestBaseline, metric, options, log);
        SweepCandidate chosen = comparison is { TrialChosen: false } ? bestBaseline! : sweepBest;

        SweepCandidate? defaults = null;
        var (trainer, _) = pipeline.SelectTrainer(best.TrialSettings.Parameter);
        if (!trainer.ReadsText && !cancellationToken.IsCancellationRequested)
        {
            // Library-default fine-tuning (3 epochs at 128 tokens) outlasts most budgets; it is not rerun.
            SweepableEstimator featurizer = pipeline.SelectFeaturizer(best.TrialSettings.Parameter).Featurizer;
            log?.Invoke($"Scoring {featurizer.Name} + {trainer.Name} with library defaults for comparison...");
            var started = Stopwatch.StartNew();
            TrialResult result = runner.RunConfiguration(new TrialSettings { TrialId = -1 }, featurizer, null, trainer, null, CancellationToken.None);
            defaults = Candidate($"{featurizer.Name}(library defaults) + {trainer.Name}(library defaults)", SweepCandidateKind.LibraryDefaults, result, started.Elapsed.TotalSeconds);
        }

        SweepCandidate? refit = null;
        if (options.Refit && !cancellationToken.IsCancellationRequested)
        {
            log?.Invoke($"Refitting {chosen.Pipeline} on the training and validation rows...");
            refit = RefitChosen(ml, options, metric, pipeline, dataset, validationFile, chosen, best.TrialSettings, outDir, cancellationToken);
        }

        Directory.CreateDirectory(outDir);
        string modelPath = Path.Combine(outDir, "model.zip");
        ITransformer saved = (refit ?? chosen).Model!;
        SweepModelFile.Save(ml, saved, runner.InputSchema, modelPath);

        long? testRows = null;
        if (options.Test is not null && !cancellationToken.IsCancellationRequested)
        {
            var test = TextDataset.Load(ml, options.Test, options.LabelColumn, textColumns, options.Task);
            testRows = test.RowCount;
            log?.Invoke($"Scoring on the test file ({test.RowCount} rows)...");
            foreach (SweepCandidate candidate in baselines.Append(sweepBest).Append(defaults).Append(refit).OfType<SweepCandidate>().Where(c => c.Model is not null))
                candidate.Test = runner.Score(candidate.Model!, test.Data);
        }

        return new TextSweepResult
        {
            Options = options,
            Metric = metric,
            TrainRows = trainRows,
            ValidationDescription = validationDescription,
            TestRows = testRows,
            Pipeline = pipeline,
            Trials = experiment.Trials.ToArray(),
            ResumedTrials = experiment.ResumedTrialCount,
            StopReason = experiment.StopReason,
            ConvergedArms = experiment.ConvergedArms,
            BaselineSeconds = baselineSeconds,
            SweepSeconds = sweepSeconds,
            SweepBest = sweepBest,
            Baselines = baselines,
            Chosen = chosen,
            BaselineComparison = comparison,
            LibraryDefaults = defaults,
            Refit = refit,
            ModelPath = modelPath,
            Model = saved,
            SampleText = textColumns.Select(c => dataset.Data.GetColumn<ReadOnlyMemory<char>>(c).Select(v => v.ToString()).FirstOrDefault() ?? "").ToArray(),
        };
    }

    private static BaselineComparison Compare(TextPipelineRunner runner, SweepCandidate trial, SweepCandidate baseline, string metric,
        TextSweepOptions options, Action<string>? log) =>
        BaselineComparison.Weigh(trial, baseline, options.BaselineConfidence, PairedBootstrap.DefaultResamples, () =>
        {
            log?.Invoke($"Comparing trial {trial.TrialId} with the baseline {baseline.Pipeline} on resamples of the validation rows...");
            return PairedBootstrap.WinShare(runner.ScoreRows(trial.Model!), runner.ScoreRows(baseline.Model!), metric, PairedBootstrap.DefaultResamples, options.Seed);
        });

    private static SweepCandidate RunBaseline(TextPipelineRunner runner, SweepBaseline baseline, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        try
        {
            TrialResult result = runner.RunBaseline(baseline, new TrialSettings { TrialId = -1 }, cancellationToken);
            return Candidate(baseline.Name, SweepCandidateKind.Baseline, result, started.Elapsed.TotalSeconds);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            return new SweepCandidate { Pipeline = baseline.Name, Kind = SweepCandidateKind.Baseline, Seconds = started.Elapsed.TotalSeconds, Error = $"{e.GetType().Name}: {e.Message}" };
        }
    }

    private static SweepCandidate Candidate(string pipeline, SweepCandidateKind kind, TrialResult result, double seconds) => new()
    {
        Pipeline = pipeline,
        Kind = kind,
        Metric = result.Metric,
        Loss = result.Loss,
        Validation = result.Metrics,
        Seconds = seconds,
        Model = result.Model,
    };

    // Fits the chosen configuration on training + validation rows: the whole (capped) dataset when validation was held
    // out of it, else the dataset and the validation file written together into one file under the output folder.
    private static SweepCandidate RefitChosen(MLContext ml, TextSweepOptions options, string metric, SweepablePipeline pipeline, TextDataset dataset,
        TextDataset? validationFile, SweepCandidate chosen, TrialSettings bestSettings, string outDir,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        IDataView all = dataset.Data;
        if (validationFile is not null)
        {
            Directory.CreateDirectory(outDir);
            string combined = Path.Combine(outDir, "refit-data.tsv");
            AtomicFile.WriteAllText(combined, CombinedTsv(options, dataset.Data, validationFile));
            all = TextDataset.Load(ml, combined, options.LabelColumn, options.TextColumns, options.Task).Data;
        }
        // The validation rows are inside the training rows now: the refit runner's validation metrics mean nothing.
        var runner = new TextPipelineRunner(pipeline, all, validationFile?.Data ?? dataset.Data, options.LabelColumn, options.Task, metric, options.Seed);
        ITransformer model = chosen.Kind == SweepCandidateKind.Baseline
            ? runner.RunBaseline(SweepBaselineNamed(options, pipeline, chosen.Pipeline), new TrialSettings { TrialId = -1 }, cancellationToken).Model!
            : runner.Run(new TrialSettings { TrialId = bestSettings.TrialId, Parameter = bestSettings.Parameter }, cancellationToken).Model!;
        return new SweepCandidate { Pipeline = chosen.Pipeline + " refitted on training + validation", Kind = SweepCandidateKind.Refit, Seconds = started.Elapsed.TotalSeconds, Model = model };
    }

    private static SweepBaseline SweepBaselineNamed(TextSweepOptions options, SweepablePipeline pipeline, string name)
    {
        string[] encoders = pipeline.Featurizers.Any(f => f.Name == "encoder") ? PretrainedEncoders.All.Select(e => e.Name).ToArray() : [];
        return SweepBaselines.For(options.Task, options.TextColumns, encoders).First(b => b.Name == name);
    }

    private static string CombinedTsv(TextSweepOptions options, IDataView first, TextDataset second)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine(string.Join('\t', options.TextColumns.Prepend(options.LabelColumn)));
        foreach (IDataView data in new[] { first, second.Data })
        {
            string[] labels = options.Task == SweepTask.Regression
                ? data.GetColumn<float>(options.LabelColumn).Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray()
                : data.GetColumn<ReadOnlyMemory<char>>(options.LabelColumn).Select(v => v.ToString()).ToArray();
            string[][] texts = options.TextColumns.Select(c => data.GetColumn<ReadOnlyMemory<char>>(c).Select(v => v.ToString()).ToArray()).ToArray();
            for (int row = 0; row < labels.Length; row++)
            {
                string[] fields = texts.Select(t => t[row]).Prepend(labels[row]).ToArray();
                if (fields.Any(f => f.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0))
                    throw new InvalidDataException($"Refit: row {row + 1} of {(data == first ? options.Dataset : options.Validation)} has a tab or line break inside a field; the training and validation rows cannot be written into one TSV file.");
                sb.AppendLine(string.Join('\t', fields));
            }
        }
        return sb.ToString();
    }
}
