using MLNetExt.Transforms.IO;
using System.ComponentModel;
using Microsoft.ML;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Ranking;
using MLNetExt.Evaluation.Reports;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands;

/// <summary><c>mlnetext eval beir</c>: dense retrieval with a text encoder and/or BM25 on a BEIR folder, scored as BEIR scores it.</summary>
public sealed class EvalBeirCommand : Command<EvalBeirCommand.Settings>
{
    /// <summary>Options of <c>eval beir</c>.</summary>
    public sealed class Settings : EvalEncoderSettings
    {
        /// <summary>The BEIR folder.</summary>
        [CommandOption("--data <DIR>")]
        [Description("BEIR folder with corpus.jsonl, queries.jsonl, qrels/<split>.tsv.")]
        public string Data { get; init; } = "";

        /// <summary>The qrels split.</summary>
        [CommandOption("--split <NAME>")]
        [Description("Qrels split. Default test.")]
        public string Split { get; init; } = "test";


        /// <summary>Cut-offs.</summary>
        [CommandOption("-k|--cutoffs <LIST>")]
        [Description("Cut-offs, comma-separated. Default 1,3,5,10,100,1000.")]
        public string? K { get; init; }

        /// <summary>Also (or only) BM25.</summary>
        [CommandOption("--bm25")]
        [Description("Also run the Lucene.Net BM25 baseline (flat title+text, EnglishAnalyzer, k1=0.9, b=0.4).")]
        public bool Bm25 { get; init; }

        /// <summary>Only BM25.</summary>
        [CommandOption("--bm25-only")]
        [Description("Run BM25 only (no encoder).")]
        public bool Bm25Only { get; init; }

        /// <summary>Dot product instead of cosine.</summary>
        [CommandOption("--dot")]
        [Description("Score by dot product instead of cosine.")]
        public bool Dot { get; init; }

        /// <summary>Query prefix override.</summary>
        [CommandOption("--query-prefix <TEXT>")]
        [Description("Text put before each query; default the model's own (arctic-embed: its retrieval instruction).")]
        public string? QueryPrefix { get; init; }




        /// <summary>Markdown output.</summary>
        [CommandOption("--markdown <FILE>")]
        [Description("Write a Markdown table of the results.")]
        public string? Markdown { get; init; }

        /// <summary>PNG output.</summary>
        [CommandOption("--plot <FILE>")]
        [Description("Write recall@k and NDCG@k curves as PNG.")]
        public string? Plot { get; init; }

        /// <summary>Run output.</summary>
        [CommandOption("--save-run <FILE>")]
        [Description("Write the dense run in TREC format (for trec_eval or `eval trec`).")]
        public string? SaveRun { get; init; }

        /// <inheritdoc />
        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Data) ? ValidationResult.Error("--data is required.")
            : ValidateEncoder();
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) => EvalOptionParsing.Guard(() =>
    {
        var dataset = BeirReader.Load(settings.Data, settings.Split);
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(dataset.Name)} ({Markup.Escape(dataset.Split)}):[/] {dataset.Corpus.Count} documents, " +
            $"{dataset.Queries.Count} judged queries, {dataset.Qrels.JudgementCount} judgements");
        if (dataset.QrelsDocumentsMissingFromCorpus.Count > 0 || dataset.QrelsQueriesMissingFromQueries.Count > 0)
            AnsiConsole.MarkupLine($"[yellow]warning:[/] qrels name {dataset.QrelsDocumentsMissingFromCorpus.Count} documents missing from corpus.jsonl " +
                $"(e.g. {Markup.Escape(string.Join(", ", dataset.QrelsDocumentsMissingFromCorpus.Take(5)))}) and " +
                $"{dataset.QrelsQueriesMissingFromQueries.Count} queries missing from queries.jsonl " +
                $"(e.g. {Markup.Escape(string.Join(", ", dataset.QrelsQueriesMissingFromQueries.Take(5)))}); they stay in the qrels.");

        var evaluation = new RankingEvaluatorOptions { Cutoffs = EvalOptionParsing.Cutoffs(settings.K) };
        var results = new List<BeirResult>();
        if (!settings.Bm25Only)
        {
            var ml = new MLContext(seed: 0);
            var (embedder, model) = EvalEncoders.Create(ml, settings.Model, settings.BatchSize, settings.Threads, fuseGraph: !settings.NoFuse);
            var retrieval = new DenseRetrievalOptions
            {
                TopK = evaluation.Cutoffs.Max(),
                Similarity = settings.Dot ? SimilarityFunction.Dot : SimilarityFunction.Cosine,
                QueryPrefix = settings.QueryPrefix ?? model.Config.QueryPrefix,
                DocumentPrefix = model.Config.DocumentPrefix,
            };
            var started = DateTime.UtcNow;
            var run = EvalEncoders.WithProgress(progress => DenseRetriever.Retrieve(dataset, embedder, retrieval, progress, cancellationToken));
            results.Add(BeirEvaluator.Score(dataset, model.Name, run, evaluation, DateTime.UtcNow - started));
            if (settings.SaveRun is not null)
                TrecRunReader.Write(run, settings.SaveRun, model.Name);
        }
        if (settings.Bm25 || settings.Bm25Only)
            results.Add(EvalEncoders.WithProgress(progress => BeirEvaluator.EvaluateBm25(dataset, null, evaluation, progress, cancellationToken)));

        Print(results);
        if (settings.Json is not null)
            EvaluationJson.Write(settings.Json, EvaluationJson.Serialize(results));
        if (settings.Markdown is not null)
            MLNetExt.Transforms.IO.AtomicFile.WriteAllText(settings.Markdown, MarkdownTable.Beir(results));
        if (settings.Plot is not null)
            RecallCurvePlot.Save(results, settings.Plot);
        return 0;
    });

    private static void Print(IReadOnlyList<BeirResult> results)
    {
        foreach (var r in results)
        {
            var table = new Table().Title($"{r.Dataset} ({r.Split}) — {r.System}").AddColumn("measure").AddColumn("all");
            table.AddRow("num_q", r.Metrics.QueriesEvaluated.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var (name, value) in r.Metrics.Mean)
                table.AddRow(name, value.ToString("F4", System.Globalization.CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            if (r.Metrics.Mean.TryGetValue("ndcg_cut_10", out double ndcg10))
                AnsiConsole.MarkupLine($"[bold]{Markup.Escape(r.System)}: NDCG@10 = {100 * ndcg10:F2}[/] ({r.Elapsed.TotalSeconds:F1} s)");
        }
    }
}
