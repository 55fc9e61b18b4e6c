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
        var table = new Table().AddColumns("model", "strict F1", "P", "R", "macro F1", "conlleval F1", "surface F1", "train s", "sentences/s");
        foreach (NerModelScores? m in models)
        {
            if (m is null)
                continue;
            NerResult s = m.Strict;
            table.AddRow(Markup.Escape(m.Model), Pct(s.Micro.F1), Pct(s.Micro.Precision), Pct(s.Micro.Recall), Pct(s.MacroF1), Pct(m.Conlleval.Micro.F1),
                Pct(s.Surface.F1), m.TrainingSeconds.ToString("F0", CultureInfo.InvariantCulture), m.SentencesPerSecond.ToString("F1", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
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
