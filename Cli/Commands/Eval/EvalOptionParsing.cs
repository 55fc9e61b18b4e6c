using System.Globalization;
using MLNetExt.Evaluation.IO;
using MLNetExt.Evaluation.Ranking;
using Spectre.Console;

namespace MLNetExt.Cli.Commands.Eval;

/// <summary>Parsing and printing shared by the <c>eval</c> verbs.</summary>
internal static class EvalOptionParsing
{
    /// <summary>Parses "1,10,100" into cut-offs; null or empty gives BEIR's defaults.</summary>
    public static int[] Cutoffs(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return [.. RankingEvaluatorOptions.BeirCutoffs];
        var result = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int k) || k <= 0)
                throw new ArgumentException($"-k/--cutoffs expects positive integers separated by commas, got '{part}' in '{text}'.");
            result.Add(k);
        }
        return result.Distinct().Order().ToArray();
    }

    /// <summary>Prints measures as trec_eval does: name, "all" (or the query id), value with 4 decimals.</summary>
    public static void PrintTrec(TextWriter output, string scope, IEnumerable<KeyValuePair<string, double>> measures)
    {
        foreach (var (name, value) in measures)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-22}\t{scope}\t{value:F4}"));
    }
}
