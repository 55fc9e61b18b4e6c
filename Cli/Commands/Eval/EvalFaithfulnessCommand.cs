using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using MLNetExt.Cli.Infrastructure;
using MLNetExt.Evaluation.Faithfulness;
using MLNetExt.Trainers.Attribution;
using MLNetExt.Transforms;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Eval;

/// <summary><c>mlnetext eval faithfulness</c>: ERASER faithfulness of attribution methods on a text classifier (see <see cref="FaithfulnessExperiment"/>).</summary>
public sealed class EvalFaithfulnessCommand : Command<EvalFaithfulnessCommand.Settings>
{
    /// <summary>Options of <c>eval faithfulness</c>.</summary>
    public sealed class Settings : AttributionMethodCliSettings
    {
        /// <summary>Model file, or featurize-text-sdca.</summary>
        [CommandOption("--model <ZIP>")]
        [Description("Model to explain: a fine-tuned model.zip (train classify --out), a SaveWithEncoders or ML.NET model file, or 'featurize-text-sdca' to train the stock FeaturizeText + SDCA classifier on --train.")]
        public string Model { get; init; } = "";

        /// <summary>GLUE task.</summary>
        [CommandOption("--task <NAME>")]
        [Description("Single-sentence GLUE task of the data file: sst2 (default) or cola.")]
        public string Task { get; init; } = "sst2";

        /// <summary>Evaluation file.</summary>
        [CommandOption("--data <TSV>")]
        [Description("The texts to explain, e.g. ../shared/data/sst2/dev.tsv.")]
        public string Data { get; init; } = "";

        /// <summary>Training file.</summary>
        [CommandOption("--train <TSV>")]
        [Description("Training file of featurize-text-sdca; also the corpus ReAGent draws replacement words from (default: the --data texts).")]
        public string? Train { get; init; }

        /// <summary>Training rows cap.</summary>
        [CommandOption("--max-train-rows <N>")]
        public int? MaxTrainRows { get; init; }

        /// <summary>Methods.</summary>
        [CommandOption("--methods <LIST>")]
        [Description("Comma-separated: occlusion, reagent, shap, ig, gxi, random (default occlusion,reagent,shap,random).")]
        public string Methods { get; init; } = "occlusion,reagent,shap,random";

        /// <summary>Rows cap.</summary>
        [CommandOption("--max-rows <N>")]
        [Description("Explain only the first N texts.")]
        public int? MaxRows { get; init; }

        /// <summary>Random sample of rows.</summary>
        [CommandOption("--sample <N>")]
        [Description("Explain a random sample of N texts (drawn with --seed, kept in file order) instead of all.")]
        public int? Sample { get; init; }

        /// <summary>Randomisation check.</summary>
        [CommandOption("--randomization-check")]
        [Description("Also attribute with a weight-randomised copy of the fine-tuned model (ig, gxi) and report the rank agreement.")]
        public bool RandomizationCheck { get; init; }

        /// <summary>JSON output.</summary>
        [CommandOption("--json <FILE>")]
        public string? Json { get; init; }

        /// <inheritdoc />
        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Model) || string.IsNullOrWhiteSpace(Data) ? ValidationResult.Error("--model and --data are required.")
            : MaxRows is < 1 ? ValidationResult.Error($"--max-rows must be at least 1, got {MaxRows}.")
            : Sample is < 1 ? ValidationResult.Error($"--sample must be at least 1, got {Sample}.")
            : ValidateRuntime() is { Successful: false } runtime ? runtime
            : ValidationResult.Success();
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        string[] methods = settings.Methods.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var options = new FaithfulnessExperimentOptions
        {
            Model = settings.Model, Task = settings.Task, DataFile = settings.Data, TrainFile = settings.Train, MaxTrainRows = settings.MaxTrainRows,
            Methods = methods,
            MaxRows = settings.MaxRows, SampleRows = settings.Sample, MethodSettings = settings.ToMethodSettings(), Runtime = settings.ToRuntime(methods), Parallelism = settings.Parallel, RandomizationCheck = settings.RandomizationCheck,
            Progress = new SynchronousProgress<(int Done, int Total)>(p => { if (p.Done % 25 == 0 || p.Done == p.Total) Console.Error.WriteLine($"{p.Done}/{p.Total} texts"); }),
        };
        FaithfulnessExperimentResult result = FaithfulnessExperiment.Run(options, cancellationToken);
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{result.Model}: {result.Rows} texts of {result.Task}, accuracy {100 * result.Accuracy:F2}, {result.Seconds:F0} s")));
        var table = new Table().AddColumns("method", "AOPC comp.", "AOPC suff.", "norm. comp.", "norm. suff.", "calls/text", "s/text", "completeness gap");
        foreach (MethodFaithfulness m in result.Faithfulness.Methods)
        {
            table.AddRow(m.Method, F(m.AopcComprehensiveness), F(m.AopcSufficiency), F(m.NormalizedAopcComprehensiveness), F(m.NormalizedAopcSufficiency),
                m.ModelCallsPerText.ToString("F1", CultureInfo.InvariantCulture), m.SecondsPerText.ToString("F3", CultureInfo.InvariantCulture),
                m.CompletenessGap is double gap ? F(gap) : "-");
        }
        AnsiConsole.Write(table);
        foreach ((string method, double rho) in result.RandomizationAgreement)
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"randomisation check, {method}: mean Spearman trained vs random weights {rho:F3}")));
        if (settings.Json is not null)
        {
            var json = new
            {
                result.Model, result.Task, result.Rows, result.Accuracy, result.Seconds,
                Levels = result.Faithfulness.Levels, result.Faithfulness.SkippedTexts,
                Methods = result.Faithfulness.Methods, result.RandomizationAgreement,
                Command = "mlnetext " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            };
            MLNetExt.Transforms.IO.AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(json, new JsonSerializerOptions
            {
                WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
            }));
        }
        return 0;
    }

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
