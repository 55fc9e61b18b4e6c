using System.ComponentModel;
using MLNetExt.Cli.Infrastructure;
using MLNetExt.Trainers.TokenClassification;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Ner;

/// <summary><c>mlnetext eval ner</c>: entity-level scores of a saved token classifier on a CoNLL file (<see cref="NerBenchmark.Evaluate"/>).</summary>
public sealed class EvalNerCommand : Command<EvalNerCommand.Settings>
{
    /// <summary>Options of <c>eval ner</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The model.</summary>
        [CommandOption("--model <ZIP>")]
        [Description("model.zip written by train ner (EncoderFineTuningTransformer.Save).")]
        public string Model { get; init; } = "";

        /// <summary>The CoNLL file.</summary>
        [CommandOption("--file <FILE>")]
        [Description("word TAB tag lines, blank line between sentences.")]
        public string File { get; init; } = "";

        /// <summary>JSON result.</summary>
        [CommandOption("--json <FILE>")]
        public string? Json { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Model) || string.IsNullOrWhiteSpace(File) ? ValidationResult.Error("--model and --file are required.")
            : ValidationResult.Success();
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        NerModelScores scores = NerBenchmark.Evaluate(settings.Model, settings.File, cancellationToken);
        NerReport.Print(scores);
        if (settings.Json is not null)
            ResultJson.Write(settings.Json, scores);
        return 0;
    }
}
