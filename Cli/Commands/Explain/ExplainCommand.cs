using System.ComponentModel;
using System.Globalization;
using MLNetExt.Cli.Infrastructure;
using MLNetExt.Evaluation.Faithfulness;
using MLNetExt.Evaluation.Reports;
using MLNetExt.Trainers.Attribution;
using MLNetExt.Transforms.Attribution;
using MLNetExt.Transforms;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Explain;

/// <summary><c>mlnetext explain</c>: word attributions of a text model for one text or a file of texts, as a table, HTML and PNG (see <see cref="TextExplainer"/>).</summary>
public sealed class ExplainCommand : Command<ExplainCommand.Settings>
{
    /// <summary>Options of <c>explain</c>.</summary>
    public sealed class Settings : AttributionMethodCliSettings
    {
        /// <summary>Model file.</summary>
        [CommandOption("--model <ZIP>")]
        [Description("Model to explain: a fine-tuned model.zip (train classify --out), a SaveWithEncoders or ML.NET model file.")]
        public string Model { get; init; } = "";

        /// <summary>One text.</summary>
        [CommandOption("--text <TEXT>")]
        [Description("The text to explain (or --data).")]
        public string? Text { get; init; }

        /// <summary>File of texts.</summary>
        [CommandOption("--data <FILE>")]
        [Description("Texts to explain: one per line, or a tab-separated file with a header (column --column, else sentence/text, else the first).")]
        public string? Data { get; init; }

        /// <summary>Column of a TSV file.</summary>
        [CommandOption("--column <NAME>")]
        public string? Column { get; init; }

        /// <summary>Rows cap.</summary>
        [CommandOption("--max-rows <N>")]
        [Description("Explain only the first N texts of --data.")]
        public int? MaxRows { get; init; }

        /// <summary>Method.</summary>
        [CommandOption("--method <NAME>")]
        [Description("occlusion (default), reagent, shap, ig, gxi (fine-tuned encoders) or random.")]
        public string Method { get; init; } = "occlusion";

        /// <summary>HTML output.</summary>
        [CommandOption("--html <FILE>")]
        [Description("Write the words coloured by attribution as a self-contained HTML page.")]
        public string? Html { get; init; }

        /// <summary>PNG output.</summary>
        [CommandOption("--png <FILE>")]
        [Description("Write a PNG heat strip of the words.")]
        public string? Png { get; init; }

        /// <summary>Texts per model pass.</summary>
        [CommandOption("--texts-per-pass <N>")]
        [Description("Texts whose perturbations occlusion, shap and random score in one model pass (default 1).")]
        public int TextsPerPass { get; init; } = 1;

        /// <summary>JSON output.</summary>
        [CommandOption("--json <FILE>")]
        [Description("Write the attributions (words, scores, target, model calls, seconds per text) as JSON.")]
        public string? Json { get; init; }

        /// <summary>Attributions to compare with.</summary>
        [CommandOption("--compare-with <FILE>")]
        [Description("An attribution JSON file of the same texts (an earlier --json): print the mean Spearman rank correlation of the two runs' word scores.")]
        public string? CompareWith { get; init; }

        /// <summary>Time the plain scoring too.</summary>
        [CommandOption("--time-plain")]
        [Description("Also time the model's plain scoring of the same texts, unperturbed, with the same parallelism: the most model calls/s the method could reach.")]
        public bool TimePlain { get; init; }

        /// <inheritdoc />
        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Model) ? ValidationResult.Error("--model is required.")
            : (Text is null) == (Data is null) ? ValidationResult.Error("Give exactly one of --text and --data.")
            : MaxRows is < 1 ? ValidationResult.Error($"--max-rows must be at least 1, got {MaxRows}.")
            : TextsPerPass < 1 ? ValidationResult.Error($"--texts-per-pass must be at least 1, got {TextsPerPass}.")
            : ValidateRuntime() is { Successful: false } runtime ? runtime
            : ValidationResult.Success();
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Html, "--html");
        OutputPaths.RequireWritableFile(settings.Png, "--png");
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        IReadOnlyList<TextAttribution>? earlier = settings.CompareWith is null ? null : AttributionJsonFile.Load(settings.CompareWith);
        IReadOnlyList<string> texts = settings.Text is not null ? [settings.Text] : TextExplainer.ReadTexts(settings.Data!, settings.Column, settings.MaxRows);
        var options = new TextExplanationOptions
        {
            Model = settings.Model, Method = settings.Method, MethodSettings = settings.ToMethodSettings(),
            Runtime = settings.ToRuntime([settings.Method]), Parallelism = settings.Parallel, TimePlainScoring = settings.TimePlain, TextsPerPass = settings.TextsPerPass,
            Progress = texts.Count < 50 ? null : new SynchronousProgress<(int Done, int Total)>(p => { if (p.Done % 50 == 0 || p.Done == p.Total) Console.Error.WriteLine($"{p.Done}/{p.Total} texts"); }),
        };
        TextExplanationResult result = TextExplainer.Explain(options, texts, cancellationToken);
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{result.Model}, {result.Method}: {result.Attributions.Count} texts in {result.Seconds:F2} s ({result.TextsPerSecond:F2} texts/s, {result.ModelCallsPerText:F1} model calls/text, {result.ModelCallsPerSecond:F1} calls/s); {result.CpuSeconds:F2} CPU s ({result.TextsPerCpuSecond:F2} texts per CPU second)")));
        if (result.PlainScoring is ScoringTime plain)
        {
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"plain scoring of the same {plain.Rows} texts: {plain.Seconds:F2} s ({plain.RowsPerSecond:F1} rows/s), {plain.CpuSeconds:F2} CPU s ({plain.RowsPerCpuSecond:F1} rows per CPU second); the method's calls per CPU second are {result.ModelCallsPerText * result.TextsPerCpuSecond / plain.RowsPerCpuSecond:P0} of that")));
        }
        foreach (TextAttribution attribution in result.Attributions.Take(20))
        {
            string words = string.Join(' ', attribution.Words.Select((w, i) => string.Create(CultureInfo.InvariantCulture, $"{w}({attribution.Scores[i]:+0.000;-0.000;0})")));
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"[{attribution.TargetIndex}: {attribution.TargetValue:F3}] {words}")));
        }
        if (result.Attributions.Count > 20)
            AnsiConsole.MarkupLine(Markup.Escape($"... {result.Attributions.Count - 20} more (see --html)"));
        string title = $"{result.Method} attributions: {result.Model}";
        if (settings.Html is not null)
            AttributionHtmlReport.Save(result.Attributions, title, settings.Html);
        if (settings.Png is not null)
            AttributionHeatStrip.Save(result.Attributions, settings.Png);
        if (settings.Json is not null)
            AttributionJsonFile.Save(result.Attributions, settings.Json);
        if (earlier is not null)
        {
            int differing = Enumerable.Range(0, Math.Min(earlier.Count, result.Attributions.Count))
                .FirstOrDefault(i => !earlier[i].Words.SequenceEqual(result.Attributions[i].Words), -1);
            if (earlier.Count != result.Attributions.Count || differing >= 0)
            {
                throw new InvalidDataException(differing >= 0
                    ? $"{settings.CompareWith}: attribution {differing} is of other words than text {differing} here; compare runs over the same texts."
                    : $"{settings.CompareWith}: holds {earlier.Count} attributions, this run made {result.Attributions.Count}; compare runs over the same texts.");
            }
            double rho = AttributionAgreement.MeanSpearman(earlier, result.Attributions);
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"agreement with {settings.CompareWith}: mean Spearman {rho:F4} over {result.Attributions.Count} texts")));
        }
        return 0;
    }
}
