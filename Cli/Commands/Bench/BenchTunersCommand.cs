using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using MLNetExt.Estimators.Tuners;
using MLNetExt.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Bench;

/// <summary>
/// <c>mlnetext bench tuners</c>: random, grid, cost-frugal (CFO) and TPE tuners on Branin and Hartmann-6,
/// best value reached at an equal budget, median and quartiles over seeds.
/// </summary>
public sealed class BenchTunersCommand : Command<BenchTunersCommand.Settings>
{
    /// <summary>Options of <c>bench tuners</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>Number of seeds per tuner and function.</summary>
        [CommandOption("--seeds <N>")]
        [Description("Seeds per tuner and function (default 20).")]
        public int Seeds { get; init; } = 20;

        /// <summary>Evaluations per run; 0 uses 50 for Branin and 100 for Hartmann-6.</summary>
        [CommandOption("--budget <N>")]
        [Description("Evaluations per run (default: 50 on Branin, 100 on Hartmann-6).")]
        public int Budget { get; init; }

        /// <summary>Where to write the scores as JSON.</summary>
        [CommandOption("--json <FILE>")]
        [Description("Write the per-seed results as JSON to FILE.")]
        public string? Json { get; init; }

        /// <inheritdoc />
        public override ValidationResult Validate()
        {
            if (Seeds < 1)
                return ValidationResult.Error($"--seeds must be at least 1; got {Seeds}.");
            if (Budget < 0)
                return ValidationResult.Error($"--budget must be positive; got {Budget}.");
            return ValidationResult.Success();
        }
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        var scores = new List<TunerScore>();
        var table = new Table().AddColumns("function", "budget", "tuner", "median best", "25%", "75%", "gap to optimum (median)", "ms/proposal");
        foreach (var (function, defaultBudget) in new[] { (StandardFunction.Branin, 50), (StandardFunction.Hartmann6, 100) })
        {
            int budget = settings.Budget > 0 ? settings.Budget : defaultBudget;
            // eci equals cfo on spaces without component choices, so it is not listed separately.
            foreach (string tuner in TunerFactory.Names.Where(n => n != "eci"))
            {
                cancellationToken.ThrowIfCancellationRequested();
                TunerScore score = TunerComparison.Score(tuner, function, budget, settings.Seeds);
                scores.Add(score);
                table.AddRow(function.Name, budget.ToString(CultureInfo.InvariantCulture), tuner, F(score.Median), F(score.LowerQuartile),
                    F(score.UpperQuartile), F(score.Median - function.GlobalMinimum), score.MillisecondsPerProposal.ToString("F3", CultureInfo.InvariantCulture));
            }
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]{settings.Seeds} seeds (0..{settings.Seeds - 1}); lower is better; Branin optimum 0.397887, Hartmann-6 optimum -3.32237.[/]");
        if (settings.Json is not null)
        {
            MLNetExt.Transforms.IO.AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(scores, new JsonSerializerOptions { WriteIndented = true }));
            AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(settings.Json)}[/].");
        }
        return 0;
    }

    private static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
