using MLNetExt.Cli.Infrastructure;
using MLNetExt.Estimators.Experiments;
using MLNetExt.Estimators.Pipelines;
using Spectre.Console;

namespace MLNetExt.Cli.Commands.Auto;

/// <summary>
/// What <c>auto classify</c> and <c>auto regress</c> do: turn the options into a <see cref="TextSweepOptions"/>, run
/// <see cref="TextSweep"/> (baselines, sweep, choice, optional refit, test scores) with a live trial table, then
/// write the metrics report, the consumption project and the training notebook, and print the outcome.
/// </summary>
internal static class AutoRun
{
    public static int Execute(AutoSettings settings, SweepTask task, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFolder(settings.Out, "--out");
        return CtrlC.Cancels(cancellationToken, token => Run(settings, task, token));
    }

    private static int Run(AutoSettings settings, SweepTask task, CancellationToken token)
    {
        var options = new TextSweepOptions
        {
            Dataset = settings.Dataset,
            Validation = settings.Valid,
            Test = settings.Test,
            LabelColumn = settings.LabelColumn,
            TextColumns = settings.TextColumnList,
            Task = task,
            Metric = settings.Metric,
            TimeSeconds = settings.TimeSeconds,
            MaxTrials = settings.MaxTrials,
            MaxRows = settings.MaxRows,
            Tuner = settings.Tuner,
            Trainers = List(settings.Trainers),
            Featurizers = List(settings.Featurizers),
            Seed = settings.Seed,
            Baselines = !settings.NoBaselines,
            BaselineConfidence = settings.BaselineConfidence,
            Refit = settings.Refit,
            OutputFolder = settings.Out,
        };
        string metric = settings.Metric ?? SweepMetrics.Names(task)[0];
        SweepMetrics.Check(metric, task);
        AnsiConsole.MarkupLine($"[bold]auto {(task == SweepTask.Classification ? "classify" : "regress")}[/]: [blue]{Markup.Escape(settings.Dataset)}[/]" +
            $"{(settings.MaxRows is int rows ? $" (first {rows} rows)" : "")}; optimising {metric} with {settings.Tuner} for {settings.TimeSeconds} s" +
            $"{(options.Baselines ? ", zero-training baselines included" : "")}.");

        TextSweepResult result = RunSweep(options, metric, token);
        string outDir = Path.GetDirectoryName(result.ModelPath)!;
        if (result.ResumedTrials > 0)
            AnsiConsole.MarkupLine($"Resumed {result.ResumedTrials} finished trials from [blue]{Markup.Escape(Path.Combine(outDir, "sweep"))}[/].");

        new TextSweepReport(result).Write(outDir);
        string project = AutoConsumptionProject.Write(outDir, result.ModelPath, task, options.TextColumns, settings.LabelColumn, (result.Refit ?? result.Chosen).Pipeline,
            TrainerName(result), SweepModelFile.NeedsPipelineFile(result.Model), result.SampleText, SweepModelFile.HoldsFineTunedEncoder(result.Model));
        string notebook = AutoTrainingNotebook.Write(outDir, result, settings.MaxRows);

        foreach (var arm in result.ConvergedArms)
            AnsiConsole.MarkupLine($"Converged: {Markup.Escape(arm.Arm)} after {arm.Trials} trials (trial {arm.AtTrialId}); its budget went to the other arms.");
        if (result.StopReason == SweepStopReason.Converged)
            AnsiConsole.MarkupLine("Every arm converged: the sweep stopped before its time budget.");
        SweepCandidate chosen = result.Chosen;
        string what = chosen.Kind == SweepCandidateKind.Baseline ? "a zero-training baseline" : $"trial {chosen.TrialId}";
        AnsiConsole.MarkupLine($"Chosen ({what}): [green]{metric} = {chosen.Metric:F4}[/] on validation ({Markup.Escape(chosen.Pipeline)})" +
            (result.LibraryDefaults is null ? "" : $"; library defaults of the sweep's best pipeline: {result.LibraryDefaults.Metric:F4}") + ".");
        SweepCandidate? bestBaseline = result.Baselines.Where(b => b.Error is null).MinBy(b => b.Loss);
        if (bestBaseline is not null && chosen.Kind != SweepCandidateKind.Baseline)
            AnsiConsole.MarkupLine($"Best baseline: {metric} = {bestBaseline.Metric:F4} on validation ({Markup.Escape(bestBaseline.Pipeline)}).");
        if (result.BaselineComparison is { } comparison)
            AnsiConsole.MarkupLine(Markup.Escape($"Why: {comparison.Describe(metric)}."));
        if (result.TestRows is long testRows)
        {
            string Test(SweepCandidate? c) => c?.Test is { } t ? t[metric].ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "-";
            AnsiConsole.MarkupLine($"Test ({Markup.Escape(settings.Test!)}, {testRows} rows): chosen {metric} = {Test(chosen)}" +
                (result.Refit is null ? "" : $", refitted on training + validation {Test(result.Refit)}") +
                (bestBaseline is null ? "" : $", best baseline {Test(bestBaseline)}") +
                (result.LibraryDefaults is null ? "" : $", library defaults {Test(result.LibraryDefaults)}") + ".");
        }
        AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(result.ModelPath)}[/]{(result.Refit is null ? "" : " (the refitted model)")}, metrics.md, metrics.json, the project [blue]{Markup.Escape(project)}[/] and the training notebook [blue]{Markup.Escape(notebook)}[/].");
        return 0;
    }

    private static TextSweepResult RunSweep(TextSweepOptions options, string metric, CancellationToken token)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            var pipeline = TextSweepPipelines.Create(options.Task, options.TextColumns, options.Trainers, options.Featurizers, options.Seed);
            return TextSweep.Run(options, new TextWriterMonitor(Console.Out, metric, pipeline.Describe), line => AnsiConsole.MarkupLine(Markup.Escape(line)), token);
        }
        var table = new AutoTrialTable(TextSweepPipelines.Create(options.Task, options.TextColumns, options.Trainers, options.Featurizers, options.Seed), metric);
        TextSweepResult? result = null;
        AnsiConsole.Live(table.Render()).AutoClear(false).Start(live =>
        {
            table.Changed = () => live.UpdateTarget(table.Render());
            result = TextSweep.Run(options, table, table.ShowProgress, token);
            live.UpdateTarget(table.Render());
        });
        return result!;
    }

    // The stock trainer of the saved model, which decides the consumption project's extra packages.
    private static string TrainerName(TextSweepResult result) =>
        result.Chosen.Kind == SweepCandidateKind.Baseline ? "baseline"
        : result.Pipeline.SelectTrainer(result.Trials.First(t => t.TrialSettings.TrialId == result.Chosen.TrialId).TrialSettings.Parameter).Trainer.Name;

    private static string[]? List(string? names) =>
        names?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
