using MLNetExt.Cli.Infrastructure;
using MLNetExt.Transforms.IO;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.Pipelines;
using MLNetExt.Estimators.Tuners;
using Spectre.Console;

namespace MLNetExt.Cli.Commands.Auto;

/// <summary>
/// What <c>auto classify</c> and <c>auto regress</c> do: load the data, sweep featurizer + trainer configurations
/// within the time budget (checkpointed in <c>OUT/sweep</c>, so rerunning the same command resumes), refit nothing,
/// and write the best model, the metrics report and a consumption project.
/// </summary>
internal static class AutoRun
{
    public static int Execute(AutoSettings settings, SweepTask task, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFolder(settings.Out, "--out");
        string metric = settings.Metric ?? SweepMetrics.Names(task)[0];
        SweepMetrics.Check(metric, task);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCtrlC = (_, e) =>
        {
            e.Cancel = true;
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCtrlC;
        try
        {
            return Run(settings, task, metric, interrupt.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
    }

    private static int Run(AutoSettings settings, SweepTask task, string metric, CancellationToken token)
    {
        var ml = new MLContext(settings.Seed);
        IReadOnlyList<string> textColumns = settings.TextColumnList;
        var train = TextDataset.Load(ml, settings.Dataset, settings.LabelColumn, textColumns, task, settings.MaxRows);
        IDataView trainData = train.Data, validData;
        string validDescription;
        if (settings.Valid is not null)
        {
            var valid = TextDataset.Load(ml, settings.Valid, settings.LabelColumn, textColumns, task);
            validData = valid.Data;
            validDescription = $"{settings.Valid} ({valid.RowCount} rows)";
        }
        else
        {
            var split = ml.Data.TrainTestSplit(train.Data, testFraction: 0.2, seed: settings.Seed);
            trainData = split.TrainSet;
            validData = split.TestSet;
            validDescription = $"20% of {settings.Dataset} held out";
        }

        SweepablePipeline pipeline = BuildPipeline(task, textColumns, settings.Trainers, settings.Featurizers, settings.Seed);
        var runner = new TextPipelineRunner(pipeline, trainData, validData, settings.LabelColumn, task, metric, settings.Seed);
        string outDir = Path.GetFullPath(settings.Out);
        string sweepDir = Path.Combine(outDir, "sweep");
        var experiment = new SweepExperiment()
            .SetSearchSpace(pipeline.SearchSpace)
            .SetTrialRunner(runner)
            .SetTuner(space => TunerFactory.Create(settings.Tuner, space, settings.Seed, settings.MaxTrials ?? 100, ignoredChoices: pipeline.IgnoredChoices))
            .SetTrainingTimeInSeconds(settings.TimeSeconds)
            .SetCheckpoint(sweepDir);
        if (settings.MaxTrials is int maxTrials)
            experiment.SetMaxTrials(maxTrials);

        AnsiConsole.MarkupLine($"[bold]auto {(task == SweepTask.Classification ? "classify" : "regress")}[/]: {train.RowCount} rows of " +
            $"[blue]{Markup.Escape(settings.Dataset)}[/], validation {Markup.Escape(validDescription)}; optimising {metric} with " +
            $"{settings.Tuner} for {settings.TimeSeconds} s; trainers {string.Join(", ", pipeline.Trainers.Select(t => t.Name))}.");
        TrialResult best = RunSweep(experiment, pipeline, metric, token);
        if (experiment.ResumedTrialCount > 0)
            AnsiConsole.MarkupLine($"Resumed {experiment.ResumedTrialCount} finished trials from [blue]{Markup.Escape(sweepDir)}[/].");

        // The same featurizer and trainer with their library defaults: what the sweep is measured against.
        var (trainer, _) = pipeline.SelectTrainer(best.TrialSettings.Parameter);
        SweepableEstimator? featurizer = trainer.ReadsText ? null : pipeline.SelectFeaturizer(best.TrialSettings.Parameter).Featurizer;
        TrialResult? defaults = null;
        if (trainer.ReadsText)
        {
            // Library-default fine-tuning (3 epochs at 128 tokens) costs several sweep trials; it is not rerun here.
            AnsiConsole.MarkupLine($"The best is {trainer.Name}; its library defaults are not rerun for comparison (a 3-epoch fine-tune outlasts most budgets).");
        }
        else if (!token.IsCancellationRequested)
        {
            AnsiConsole.MarkupLine($"Scoring {featurizer!.Name} + {trainer.Name} with library defaults for comparison...");
            defaults = runner.RunConfiguration(new TrialSettings { TrialId = -1 }, featurizer, null, trainer, null, CancellationToken.None);
        }

        Directory.CreateDirectory(outDir);
        string modelPath = Path.Combine(outDir, "model.zip");
        ITransformer bestModel = best.Model ?? throw new InvalidOperationException("The best trial has no model.");
        MLNetExt.Transforms.IO.AtomicFile.Write(modelPath, temp => runner.SaveModel(bestModel, temp));

        AutoTestScores? test = null;
        if (settings.Test is not null && !token.IsCancellationRequested)
        {
            var testSet = TextDataset.Load(ml, settings.Test, settings.LabelColumn, textColumns, task);
            AnsiConsole.MarkupLine($"Scoring on the test file ({testSet.RowCount} rows)...");
            test = new AutoTestScores(settings.Test, testSet.RowCount, runner.Score(bestModel, testSet.Data),
                defaults?.Model is null ? null : runner.Score(defaults.Model, testSet.Data));
        }
        var report = new AutoReport(settings, task, metric, pipeline, experiment.Trials, best, defaults, test, validDescription, train.RowCount);
        report.Write(outDir);
        string project = AutoConsumptionProject.Write(outDir, modelPath, task, textColumns, settings.LabelColumn, pipeline.Describe(best.TrialSettings.Parameter),
            trainer.Name, SweepModelFile.HoldsEncoder(bestModel), SampleText(trainData, textColumns), SweepModelFile.HoldsFineTunedEncoder(bestModel));
        if (test is not null)
            AnsiConsole.MarkupLine($"Test ({Markup.Escape(settings.Test!)}): best {metric} = {test.Best[metric]:F4}" +
                (test.Defaults is null ? "" : $", library defaults {test.Defaults[metric]:F4}") + ".");

        AnsiConsole.MarkupLine($"Best: trial {best.TrialSettings.TrialId}, [green]{metric} = {best.Metric:F4}[/] " +
            $"({Markup.Escape(pipeline.Describe(best.TrialSettings.Parameter))})" +
            (defaults is null ? "" : $"; library defaults of the same pipeline: {defaults.Metric:F4}."));
        AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(modelPath)}[/], metrics.md, metrics.json and the project [blue]{Markup.Escape(project)}[/].");
        return 0;
    }

    private static SweepablePipeline BuildPipeline(SweepTask task, IReadOnlyList<string> textColumns, string? trainerNames, string? featurizerNames, int seed)
    {
        var trainers = StockTrainers.For(task);
        if (trainerNames is not null)
        {
            string[] wanted = trainerNames.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            string[] known = trainers.Select(t => t.Name).Append(FineTuningTrainers.Name).ToArray();
            string? unknown = wanted.FirstOrDefault(w => !known.Contains(w));
            if (unknown is not null || wanted.Length == 0)
                throw new ArgumentException($"--trainers: unknown trainer '{unknown}' for {task}; expected some of {string.Join(", ", known)}.");
            trainers = trainers.Where(t => wanted.Contains(t.Name)).ToArray();
            if (wanted.Contains(FineTuningTrainers.Name))
            {
                if (textColumns.Count > 2)
                    throw new ArgumentException($"--trainers {FineTuningTrainers.Name}: fine-tuning reads one text column or a pair; --text-col names {textColumns.Count}.");
                var baseOptions = new MLNetExt.Trainers.FineTuning.EncoderFineTuningOptions();
                baseOptions.Training.Seed = seed;
                trainers = trainers.Append(FineTuningTrainers.Create(task, textColumns, baseOptions)).ToArray();
            }
        }
        return new SweepablePipeline(AutoFeaturizers.For(textColumns, featurizerNames), trainers);
    }

    private static TrialResult RunSweep(SweepExperiment experiment, SweepablePipeline pipeline, string metric, CancellationToken token)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            experiment.SetMonitor(new TextWriterMonitor(Console.Out, metric, pipeline.Describe));
            return experiment.Run(token);
        }
        var table = new AutoTrialTable(pipeline, metric);
        experiment.SetMonitor(table);
        TrialResult? best = null;
        AnsiConsole.Live(table.Render()).AutoClear(false).Start(live =>
        {
            table.Changed = () => live.UpdateTarget(table.Render());
            best = experiment.Run(token);
            live.UpdateTarget(table.Render());
        });
        return best!;
    }

    private static string[] SampleText(IDataView data, IReadOnlyList<string> textColumns) =>
        textColumns.Select(c => data.GetColumn<ReadOnlyMemory<char>>(c).Select(v => v.ToString()).FirstOrDefault() ?? "").ToArray();
}
