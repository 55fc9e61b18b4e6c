using System.Globalization;
using MLNetExt.Evaluation.Ranking;
using MLNetExt.UnitTests.Infrastructure;

namespace MLNetExt.UnitTests.Evaluation;

/// <summary>
/// Compares <see cref="RankingEvaluator"/> and <c>eval trec</c> with the real trec_eval 9.0.8 output stored in
/// <c>shared/data/trec_eval_reference</c> (random qrels/run pairs built to hit its edge cases; commands in its SOURCE.txt):
/// every measure, per query and averaged, to the 4 decimals trec_eval prints.
/// </summary>
[TestClass]
public sealed class TrecEvalReferenceTests
{
    private const string Folder = "trec_eval_reference";

    public static IEnumerable<object[]> Cases() =>
        from pair in new[] { "pair0", "pair1", "pair2" }
        from complete in new[] { false, true }
        select new object[] { pair, complete };

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void RankingEvaluator_MatchesTrecEval(string pair, bool complete)
    {
        var (qrelsPath, runPath, reference) = Load(pair, complete);
        // trec_eval keeps a document whose id equals the query id (BEIR drops it before calling it).
        var metrics = RankingEvaluator.Evaluate(QrelsReader.Read(qrelsPath), TrecRunReader.Read(runPath), new RankingEvaluatorOptions
        {
            IgnoreIdenticalIds = false,
            IncludeQueriesMissingFromRun = complete,
        });

        var ours = new Dictionary<(string Query, string Measure), double>();
        foreach (var (qid, values) in metrics.PerQuery)
            foreach (var (name, value) in values)
                ours[(qid, name)] = value;
        foreach (var (name, value) in metrics.Mean)
            ours[("all", name)] = value;
        ours[("all", "num_q")] = metrics.QueriesEvaluated;

        AssertMatches(reference, ours, $"{pair}{(complete ? " -c" : "")}");
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void EvalTrecCommand_PrintsWhatTrecEvalPrints(string pair, bool complete)
    {
        var (qrelsPath, runPath, reference) = Load(pair, complete);
        string[] args = ["eval", "trec", "--qrels", qrelsPath, "--run", runPath, "-q", "--keep-identical-ids", .. complete ? ["-c"] : Array.Empty<string>()];

        var (code, output) = CliRunner.Run(args);

        Assert.AreEqual(0, code, output);
        AssertMatches(reference, Parse(output.Split('\n')), $"eval trec {pair}{(complete ? " -c" : "")}");
    }

    private static (string Qrels, string Run, Dictionary<(string Query, string Measure), double> Reference) Load(string pair, bool complete)
    {
        string qrels = SharedData.RequireFile(Folder, pair + ".qrels");
        string run = SharedData.RequireFile(Folder, pair + ".run");
        string output = SharedData.RequireFile(Folder, pair + (complete ? ".trec_eval-c.txt" : ".trec_eval.txt"));
        return (qrels, run, Parse(File.ReadLines(output)));
    }

    // trec_eval -q prints "measure \t query \t value" per line, queries first, then "all".
    private static Dictionary<(string Query, string Measure), double> Parse(IEnumerable<string> lines)
    {
        var values = new Dictionary<(string, string), double>();
        foreach (string line in lines)
        {
            string[] f = line.Split('\t');
            if (f.Length != 3)
                continue;
            values[(f[1].Trim(), f[0].Trim())] = double.Parse(f[2], CultureInfo.InvariantCulture);
        }
        return values;
    }

    // Every value trec_eval printed must be ours to 4 decimals. With -c, trec_eval prints no per-query lines for
    // judged queries absent from the run (they only count in "all"); ours may list them, with every measure 0.
    private static void AssertMatches(
        Dictionary<(string Query, string Measure), double> reference,
        Dictionary<(string Query, string Measure), double> ours, string what)
    {
        Assert.IsTrue(reference.Count > 100, $"{what}: the reference output looks truncated ({reference.Count} values).");
        var mismatches = new List<string>();
        foreach (var ((query, measure), expected) in reference)
        {
            if (!ours.TryGetValue((query, measure), out double actual))
                mismatches.Add($"{measure} {query}: missing (trec_eval {expected:F4})");
            else if (Format(actual) != Format(expected))
                mismatches.Add($"{measure} {query}: {Format(actual)}, trec_eval {Format(expected)}");
        }
        var referenceQueries = reference.Keys.Select(k => k.Query).ToHashSet();
        foreach (var ((query, measure), actual) in ours)
        {
            if (!referenceQueries.Contains(query) && actual != 0)
                mismatches.Add($"{measure} {query}: {Format(actual)} for a query trec_eval does not list");
        }
        Assert.AreEqual(0, mismatches.Count, $"{what}: {mismatches.Count} of {reference.Count} values differ:\n" + string.Join("\n", mismatches.Take(40)));
    }

    private static string Format(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
