using System.ComponentModel;
using System.Globalization;
using MLNetExt.Evaluation.Glue;
using MLNetExt.Evaluation.Reports;
using MLNetExt.Trainers.Glue;
using MLNetExt.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Eval;

/// <summary><c>mlnetext eval glue</c>: a GLUE task's measures for a prediction file or an ML.NET model file.</summary>
public sealed class EvalGlueCommand : Command<EvalGlueCommand.Settings>
{
    /// <summary>Options of <c>eval glue</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The task.</summary>
        [CommandOption("--task <NAME>")]
        [Description("CoLA, SST-2, MRPC, QQP, STS-B, MNLI, QNLI, RTE or WNLI.")]
        public string Task { get; init; } = "";

        /// <summary>The task folder.</summary>
        [CommandOption("--data <DIR>")]
        [Description("Folder with the task's tsv files (e.g. ../shared/data/mrpc).")]
        public string Data { get; init; } = "";

        /// <summary>The split file.</summary>
        [CommandOption("--split <FILE>")]
        [Description("File inside --data to score against. Default the task's dev file (dev.tsv; MNLI dev_matched.tsv).")]
        public string? Split { get; init; }

        /// <summary>Predictions file.</summary>
        [CommandOption("--predictions <FILE>")]
        [Description("One prediction per line in file order (label text, class index, or STS-B score); a GLUE submission file with an 'index<TAB>prediction' header also works.")]
        public string? Predictions { get; init; }

        /// <summary>ML.NET model file.</summary>
        [CommandOption("--model <ZIP>")]
        [Description("A fine-tuned model (model.zip from train classify --out), a SaveWithEncoders pipeline, or an ML.NET model file (mlContext.Model.Save) reading Sentence1/Sentence2; scored by its PredictedLabel (Score for STS-B).")]
        public string? Model { get; init; }

        /// <summary>Prediction column of the model.</summary>
        [CommandOption("--column <NAME>")]
        [Description("The model's prediction column. Default PredictedLabel (Score for STS-B).")]
        public string? Column { get; init; }

        /// <summary>JSON output.</summary>
        [CommandOption("--json <FILE>")]
        [Description("Write the measures as JSON.")]
        public string? Json { get; init; }

        /// <inheritdoc />
        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Task) || string.IsNullOrWhiteSpace(Data) ? ValidationResult.Error("--task and --data are required.")
            : (Predictions is null) == (Model is null) ? ValidationResult.Error("Give exactly one of --predictions and --model.")
            : ValidationResult.Success();
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        var task = GlueTask.FromName(settings.Task);
        string file = Path.Combine(settings.Data, settings.Split ?? task.DevFile);
        var gold = GlueReader.Read(task, file, labelsRequired: true);
        GlueResult result;
        string system;
        if (settings.Predictions is not null)
        {
            result = GluePredictionFile.Evaluate(task, gold, settings.Predictions);
            system = Path.GetFileName(settings.Predictions);
        }
        else
        {
            result = GlueModelEvaluation.Evaluate(task, gold, settings.Model!, settings.Column);
            system = Path.GetFileName(settings.Model!);
        }

        var table = new Table().Title($"{task.Name} — {system} ({result.Count} examples)").AddColumn("measure").AddColumn("x100");
        foreach (var (name, value) in result.ByName)
            table.AddRow(name, (100 * value).ToString("F2", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        if (settings.Json is not null)
            EvaluationJson.Write(settings.Json, EvaluationJson.Serialize(result, system));
        return 0;
    }
}
