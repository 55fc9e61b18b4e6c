using System.ComponentModel;
using MLNetExt.Evaluation.Ranking;
using MLNetExt.Evaluation.Reports;
using MLNetExt.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Eval;

/// <summary><c>mlnetext eval trec</c>: trec_eval 9.0.8 measures of a run file against a qrels file, as BEIR computes them.</summary>
public sealed class EvalTrecCommand : Command<EvalTrecCommand.Settings>
{
    /// <summary>Options of <c>eval trec</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The qrels file (TREC 4 columns or BEIR tsv with header).</summary>
        [CommandOption("--qrels <FILE>")]
        [Description("Qrels: TREC 'qid iter docno rel' or BEIR tsv 'query-id corpus-id score' with header.")]
        public string Qrels { get; init; } = "";

        /// <summary>The run file.</summary>
        [CommandOption("--run <FILE>")]
        [Description("Run: 'qid Q0 docno rank score tag' per line.")]
        public string Run { get; init; } = "";

        /// <summary>Cut-offs.</summary>
        [CommandOption("-k|--cutoffs <LIST>")]
        [Description("Cut-offs, comma-separated. Default 1,3,5,10,100,1000 (BEIR).")]
        public string? K { get; init; }

        /// <summary>Write the measures as JSON.</summary>
        [CommandOption("--json <FILE>")]
        [Description("Also write the measures (trec_eval names) as JSON.")]
        public string? Json { get; init; }

        /// <summary>Print per-query values.</summary>
        [CommandOption("-q|--per-query")]
        [Description("Also print each query's values (trec_eval -q).")]
        public bool PerQuery { get; init; }

        /// <summary>Average judged queries missing from the run as 0.</summary>
        [CommandOption("-c|--complete")]
        [Description("Average over all judged queries, scoring those missing from the run 0 (trec_eval -c).")]
        public bool Complete { get; init; }

        /// <summary>Keep results whose document id equals the query id.</summary>
        [CommandOption("--keep-identical-ids")]
        [Description("Keep results whose document id equals the query id (BEIR drops them; so does this tool by default).")]
        public bool KeepIdenticalIds { get; init; }

        /// <summary>Duplicate policy.</summary>
        [CommandOption("--duplicates <POLICY>")]
        [Description("A document listed twice for a query: error (trec_eval), first, last (Python dict), highest. Default error.")]
        public string Duplicates { get; init; } = "error";

        /// <summary>Compare run scores as doubles.</summary>
        [CommandOption("--full-precision")]
        [Description("Rank by the scores in full double precision, as trec_eval 10 does. By default scores are rounded to single precision first, as trec_eval 9.0.8 and pytrec_eval (BEIR) do, so scores equal as floats tie and are ordered by document id.")]
        public bool FullPrecision { get; init; }

        /// <summary>Relevance level.</summary>
        [CommandOption("-l|--relevance-level <N>")]
        [Description("Minimum grade of a relevant document (trec_eval -l). Default 1.")]
        public int RelevanceLevel { get; init; } = 1;

        /// <inheritdoc />
        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Qrels) || string.IsNullOrWhiteSpace(Run))
                return ValidationResult.Error("--qrels and --run are required.");
            if (ParsePolicy(Duplicates) is null)
                return ValidationResult.Error($"--duplicates expects error, first, last or highest; got '{Duplicates}'.");
            return ValidationResult.Success();
        }

        internal static DuplicatePolicy? ParsePolicy(string text) => text.ToLowerInvariant() switch
        {
            "error" => DuplicatePolicy.Error,
            "first" => DuplicatePolicy.KeepFirst,
            "last" => DuplicatePolicy.KeepLast,
            "highest" => DuplicatePolicy.KeepHighest,
            _ => null,
        };
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        var qrels = QrelsReader.Read(settings.Qrels);
        var run = TrecRunReader.Read(settings.Run, Settings.ParsePolicy(settings.Duplicates)!.Value);
        var metrics = RankingEvaluator.Evaluate(qrels, run, new RankingEvaluatorOptions
        {
            Cutoffs = EvalOptionParsing.Cutoffs(settings.K),
            IgnoreIdenticalIds = !settings.KeepIdenticalIds,
            IncludeQueriesMissingFromRun = settings.Complete,
            RelevanceLevel = settings.RelevanceLevel,
            ScorePrecision = settings.FullPrecision ? ScorePrecision.Double : ScorePrecision.Single,
        });

        var output = Console.Out;
        if (settings.PerQuery)
            foreach (var (qid, values) in metrics.PerQuery)
                EvalOptionParsing.PrintTrec(output, qid, values);
        output.WriteLine($"{"num_q",-22}\tall\t{metrics.QueriesEvaluated}");
        EvalOptionParsing.PrintTrec(output, "all", metrics.Mean);
        Console.Error.WriteLine($"# {metrics.QueriesEvaluated} queries averaged; {metrics.RunQueriesWithoutJudgements} run queries without judgements skipped; " +
            $"{metrics.JudgedQueriesMissingFromRun} judged queries missing from the run {(settings.Complete ? "scored 0" : "skipped")}; " +
            $"{metrics.QueriesWithoutRelevant} evaluated queries without relevant documents; {metrics.IdenticalIdsDropped} identical ids dropped; " +
            $"{run.DuplicatesResolved} duplicates resolved.");
        if (settings.Json is not null)
            EvaluationJson.Write(settings.Json, EvaluationJson.Serialize(metrics, settings.PerQuery));
        return 0;
    }
}
