using System.Globalization;
using MLNetExt.Evaluation.Beir;
using Spectre.Console;

namespace MLNetExt.Cli.Commands.Eval;

/// <summary>Parsing and printing of <c>eval beir --keyword-model</c>'s options and keyword figures.</summary>
internal static class KeywordRerankCliOptions
{
    /// <summary>One setting per mode (boost once per weight, filter once), from the option texts.</summary>
    /// <exception cref="ArgumentException">A mode is not boost or filter, a weight is not a number >= 0, or the match is not all or any.</exception>
    public static List<KeywordRerankOptions> Parse(string modes, string weights, string match)
    {
        KeywordMatch parsedMatch = match.Trim().ToLowerInvariant() switch
        {
            "all" => KeywordMatch.All,
            "any" => KeywordMatch.Any,
            _ => throw new ArgumentException($"--keyword-match expects all or any, got '{match}'."),
        };
        var parsedWeights = new List<double>();
        foreach (string part in weights.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double weight) || !double.IsFinite(weight) || weight < 0)
                throw new ArgumentException($"--keyword-weight expects numbers >= 0 separated by commas, got '{part}' in '{weights}'.");
            parsedWeights.Add(weight);
        }
        var settings = new List<KeywordRerankOptions>();
        foreach (string part in modes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            switch (part.ToLowerInvariant())
            {
                case "boost":
                    if (parsedWeights.Count == 0)
                        throw new ArgumentException("--keyword-mode boost needs at least one --keyword-weight.");
                    settings.AddRange(parsedWeights.Distinct().Select(w => new KeywordRerankOptions { Mode = KeywordRerankMode.Boost, Weight = w }));
                    break;
                case "filter":
                    settings.Add(new KeywordRerankOptions { Mode = KeywordRerankMode.Filter, Match = parsedMatch });
                    break;
                default:
                    throw new ArgumentException($"--keyword-mode expects boost or filter separated by commas, got '{part}' in '{modes}'.");
            }
        }
        if (settings.Count == 0)
            throw new ArgumentException("--keyword-mode needs boost, filter or both.");
        return settings;
    }

    /// <summary>How many queries got keywords, and the first few of them.</summary>
    public static void PrintKeywords(IReadOnlyList<BeirQuery> queries, IReadOnlyDictionary<string, IReadOnlyList<string>> keywords, int examples = 8)
    {
        var with = queries.Where(q => keywords.TryGetValue(q.Id, out var k) && k.Count > 0).ToArray();
        int total = with.Sum(q => keywords[q.Id].Count);
        AnsiConsole.MarkupLine($"keywords: {total} in {with.Length} of {queries.Count} queries");
        foreach (BeirQuery query in with.Take(examples))
            AnsiConsole.MarkupLine($"  [grey]{Markup.Escape(query.Text)}[/] -> {Markup.Escape(string.Join(" | ", keywords[query.Id]))}");
    }

    /// <summary>What one re-ranking did, with NDCG@10 before and after over the queries that had keywords (the others are unchanged).</summary>
    public static void PrintRerank(KeywordRerankResult result, BeirResult before, BeirResult after)
    {
        static string Ndcg10(BeirResult r, IEnumerable<string> queries)
        {
            double[] values = queries.Select(q => r.Metrics.PerQuery.TryGetValue(q, out var m) ? m.GetValueOrDefault("ndcg_cut_10") : double.NaN)
                .Where(v => !double.IsNaN(v)).ToArray();
            return values.Length == 0 ? "-" : (100 * values.Average()).ToString("F2", CultureInfo.InvariantCulture);
        }
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(after.System)}:[/] {result.QueriesWithKeywords} of {result.Queries} queries had keywords, " +
            $"{result.QueriesChanged} rankings changed, {result.DocumentsWithKeywords} retrieved documents held a keyword" +
            (result.FilterFallbacks > 0 || result.DocumentsRemoved > 0 ? $", {result.DocumentsRemoved} removed, {result.FilterFallbacks} queries kept whole (no document passed)" : "") +
            $"; NDCG@10 over those queries {Ndcg10(before, result.KeywordQueries)} -> {Ndcg10(after, result.KeywordQueries)}");
    }
}
