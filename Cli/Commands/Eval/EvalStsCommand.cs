using System.ComponentModel;
using System.Globalization;
using Microsoft.ML;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Reports;
using MLNetExt.Evaluation.Sts;
using MLNetExt.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Eval;

/// <summary><c>mlnetext eval sts</c>: Pearson and Spearman of embedding similarities against STS gold scores.</summary>
public sealed class EvalStsCommand : Command<EvalStsCommand.Settings>
{
    /// <summary>Options of <c>eval sts</c>.</summary>
    public sealed class Settings : EvalEncoderSettings
    {
        /// <summary>The STS file.</summary>
        [CommandOption("--file <TSV>")]
        [Description("STS file: GLUE STS-B (header with sentence1, sentence2, score), the original STS benchmark layout, SICK " +
            "(header with sentence_A, sentence_B, relatedness_score) or SemEval STS 2012-2016 (score, sentence 1, sentence 2; no header).")]
        public string File { get; init; } = "";

        /// <summary>The layout.</summary>
        [CommandOption("--layout <NAME>")]
        [Description("auto (default: found from the first line), glue, original, sick or semeval.")]
        public string Layout { get; init; } = "auto";

        /// <inheritdoc />
        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(File) ? ValidationResult.Error("--file is required.")
            : !Enum.TryParse<StsLayout>(Layout, ignoreCase: true, out _) ? ValidationResult.Error($"--layout must be auto, glue, original, sick or semeval, got '{Layout}'.")
            : ValidateEncoder();
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        if (settings.Model is not null)
            ModelArgument.RequireFolderIfPath(settings.Model, "--model");
        StsData data = StsReader.Load(settings.File, Enum.Parse<StsLayout>(settings.Layout, ignoreCase: true));
        IReadOnlyList<StsPair> pairs = data.Pairs;
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(settings.File)}:[/] {pairs.Count} pairs ({data.Layout} layout)" +
            (data.LinesWithoutScore > 0 ? $", {data.LinesWithoutScore} lines without a score skipped" : ""));
        var ml = new MLContext(seed: 0);
        var (embedder, model) = EvalEncoders.Create(ml, settings.Model, settings.BatchSize, settings.Threads, fuseGraph: !settings.NoFuse);
        var result = ConsoleProgress.Encoding(progress => StsEvaluator.Evaluate(pairs, embedder, progress, cancellationToken));

        var table = new Table().Title($"STS — {model.Name}").AddColumn("similarity").AddColumn("Pearson x100").AddColumn("Spearman x100");
        foreach (var (function, c) in result.BySimilarity)
            table.AddRow(function.ToString().ToLowerInvariant(), (100 * c.Pearson).ToString("F2", CultureInfo.InvariantCulture), (100 * c.Spearman).ToString("F2", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(model.Name)}: cosine Spearman = {100 * result.CosineSpearman:F2}[/]");
        if (settings.Json is not null)
            EvaluationJson.Write(settings.Json, EvaluationJson.Serialize(result, model.Name, settings.File));
        return 0;
    }
}
