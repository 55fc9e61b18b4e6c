using System.Globalization;
using MLNetExt.Evaluation.Ner;
using MLNetExt.Trainers.TokenClassification;
using Spectre.Console;

namespace MLNetExt.Cli.Commands.Ner;

/// <summary>Prints token-classification scores as a table.</summary>
internal static class NerReport
{
    public static void Print(params NerModelScores?[] models)
    {
        foreach (NerModelScores? m in models)
        {
            if (m is null)
                continue;
            NerResult s = m.Strict;
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(m.Model)}[/]");
            AnsiConsole.WriteLine($"  strict F1 {Pct(s.Micro.F1)} (P {Pct(s.Micro.Precision)}, R {Pct(s.Micro.Recall)}), macro F1 {Pct(s.MacroF1)}, " +
                $"conlleval F1 {Pct(m.Conlleval.Micro.F1)}, surface F1 {Pct(s.Surface.F1)}");
            AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {s.Sentences} sentences, {s.Micro.Gold} gold entities, {s.Micro.Predicted} predicted; training {m.TrainingSeconds:F0} s, tagging {m.SentencesPerSecond:F1} sentences/s"));
        }
        if (models.FirstOrDefault(m => m is not null) is { } first)
        {
            var types = new Table().AddColumns("type", "gold", "predicted", "correct", "strict F1");
            foreach ((string type, EntityScores scores) in first.Strict.PerType)
                types.AddRow(Markup.Escape(type), scores.Gold.ToString(CultureInfo.InvariantCulture), scores.Predicted.ToString(CultureInfo.InvariantCulture),
                    scores.Correct.ToString(CultureInfo.InvariantCulture), Pct(scores.F1));
            AnsiConsole.Write(types);
        }
    }

    private static string Pct(double value) => (100 * value).ToString("F2", CultureInfo.InvariantCulture);
}
