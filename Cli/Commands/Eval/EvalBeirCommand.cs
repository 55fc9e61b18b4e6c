using MLNetExt.Transforms.IO;
using System.ComponentModel;
using Microsoft.ML;
using MLNetExt.Evaluation.Beir;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.Ranking;
using MLNetExt.Evaluation.Reports;
using MLNetExt.Cli.Infrastructure;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.TokenClassification;
using MLNetExt.Transforms;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Eval;

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

        /// <summary>Late-interaction retrieval.</summary>
        [CommandOption("--multi-vector")]
        [Description("Late-interaction (MaxSim) retrieval over the encoder's token vectors, documents compressed per --ratio and --method; " +
            "the single-vector system is scored from the same encoding pass. Reports bytes stored per document and scoring speed.")]
        public bool MultiVector { get; init; }

        /// <summary>Compression ratios.</summary>
        [CommandOption("--ratio <LIST>")]
        [Description("With --multi-vector: tokens per document vector, 1, 2, 4 or 8, comma-separated (1 keeps every token). Default 1.")]
        public string Ratio { get; init; } = "1";

        /// <summary>Compression methods.</summary>
        [CommandOption("--method <LIST>")]
        [Description("With --multi-vector: mean (consecutive tokens) and/or cluster (Ward clustering of similar tokens), comma-separated. Default mean.")]
        public string Method { get; init; } = "mean";

        /// <summary>Token-state cache file.</summary>
        [CommandOption("--token-cache <FILE>")]
        [Description("With --multi-vector: keep the encoder's token states of every query and document in FILE (about 1.5 GB for SciFact) and reuse them: " +
            "a rerun, or a run cut short and started again, encodes only the texts still missing. The file is tied to the encoder it was written with.")]
        public string? TokenCache { get; init; }

        /// <summary>Trained context compressor folder.</summary>
        [CommandOption("--compressor <DIR>")]
        [Description("With --multi-vector: a trained context compressor folder (train context-compressor): queries keep one vector per word piece, " +
            "documents are compressed by it at each --ratio, --batch-size texts per run of its graph (--method and --model do not apply).")]
        public string? Compressor { get; init; }

        /// <summary>int8 document vectors.</summary>
        [CommandOption("--int8")]
        [Description("With --multi-vector: store document vectors as int8 with one scale per vector (float32 otherwise).")]
        public bool Int8 { get; init; }

        /// <summary>Query prefix override.</summary>
        [CommandOption("--query-prefix <TEXT>")]
        [Description("Text put before each query; default the model's own (arctic-embed: its retrieval instruction).")]
        public string? QueryPrefix { get; init; }

        /// <summary>A saved run to score instead of retrieving.</summary>
        [CommandOption("--run <FILE>")]
        [Description("Score this TREC run (e.g. one written by --save-run) instead of encoding the corpus; with --keyword-model, re-rank it too.")]
        public string? Run { get; init; }

        /// <summary>Token classifier for query keywords.</summary>
        [CommandOption("--keyword-model <ZIP>")]
        [Description("model.zip written by `train ner`: the entities it finds in each query become keywords that re-rank every system's run " +
            "(scored beside the run it re-ranks).")]
        public string? KeywordModel { get; init; }

        /// <summary>Entity types kept as keywords.</summary>
        [CommandOption("--keyword-types <LIST>")]
        [Description("With --keyword-model: entity types to use, comma-separated (e.g. person,location). Default every type.")]
        public string? KeywordTypes { get; init; }

        /// <summary>Re-ranking modes.</summary>
        [CommandOption("--keyword-mode <LIST>")]
        [Description("With --keyword-model: boost (raise documents holding the keywords) and/or filter (keep only those; the whole list when none does), comma-separated. Default boost.")]
        public string? KeywordMode { get; init; }

        /// <summary>Boost weights.</summary>
        [CommandOption("--keyword-weight <LIST>")]
        [Description("With boost: lift of a document holding every keyword, as a fraction of the query's score range; comma-separated for several systems. Default 0.1.")]
        public string? KeywordWeight { get; init; }

        /// <summary>Filter match.</summary>
        [CommandOption("--keyword-match <all|any>")]
        [Description("With filter: a document needs all (default) or any of the query's keywords.")]
        public string? KeywordMatch { get; init; }

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
        [Description("Write the run in TREC format (for trec_eval or `eval trec`): the dense run, BM25's with --bm25-only, or with --multi-vector the last variant's.")]
        public string? SaveRun { get; init; }

        private string? KeywordOptionWithoutModel() =>
            KeywordTypes is not null ? "--keyword-types" : KeywordMode is not null ? "--keyword-mode"
            : KeywordWeight is not null ? "--keyword-weight" : KeywordMatch is not null ? "--keyword-match" : null;

        /// <inheritdoc />
        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Data) ? ValidationResult.Error("--data is required.")
            : MultiVector && Bm25Only ? ValidationResult.Error("--multi-vector needs the encoder; it cannot be combined with --bm25-only.")
            : Run is not null && (MultiVector || Bm25Only || Model is not null) ? ValidationResult.Error("--run scores a saved run; it cannot be combined with --model, --multi-vector or --bm25-only.")
            : Compressor is not null && !MultiVector ? ValidationResult.Error("--compressor needs --multi-vector.")
            : TokenCache is not null && !MultiVector ? ValidationResult.Error("--token-cache needs --multi-vector.")
            : Compressor is not null && Model is not null ? ValidationResult.Error("--compressor brings its own encoder; it cannot be combined with --model.")
            : KeywordModel is null && KeywordOptionWithoutModel() is { } option ? ValidationResult.Error($"{option} re-ranks with the keywords of --keyword-model; give --keyword-model ZIP too.")
            : ValidateEncoder();
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        OutputPaths.RequireWritableFile(settings.Json, "--json");
        if (settings.Model is not null)
            ModelArgument.RequireFolderIfPath(settings.Model, "--model");
        OutputPaths.RequireWritableFile(settings.Markdown, "--markdown");
        OutputPaths.RequireWritableFile(settings.Plot, "--plot");
        OutputPaths.RequireWritableFile(settings.SaveRun, "--save-run");
        if (!File.Exists(settings.TokenCache))
            OutputPaths.RequireWritableFile(settings.TokenCache, "--token-cache");
        List<KeywordRerankOptions>? keywordSettings = settings.KeywordModel is null ? null
            : KeywordRerankCliOptions.Parse(settings.KeywordMode ?? "boost", settings.KeywordWeight ?? "0.1", settings.KeywordMatch ?? "all");
        var dataset = BeirReader.Load(settings.Data, settings.Split);
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(dataset.Name)} ({Markup.Escape(dataset.Split)}):[/] {dataset.Corpus.Count} documents, " +
            $"{dataset.Queries.Count} judged queries, {dataset.Qrels.JudgementCount} judgements");
        string? missing = MissingIdsWarning(dataset);
        if (missing is not null)
            Console.Error.WriteLine("warning: " + missing);
        // Keywords first, so that a bad keyword model stops the command before the long encoding pass.
        IReadOnlyDictionary<string, IReadOnlyList<string>>? keywords = null;
        if (settings.KeywordModel is not null)
        {
            EncoderFineTuningTransformer tagger = EncoderFineTuningTransformer.Load(new MLContext(seed: 0), settings.KeywordModel);
            try
            {
                var extractor = new EntityKeywordExtractor(tagger, settings.KeywordTypes?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                keywords = KeywordReranker.ExtractKeywords(dataset.Queries, extractor, cancellationToken);
            }
            finally
            {
                tagger.Dispose();
            }
            KeywordRerankCliOptions.PrintKeywords(dataset.Queries, keywords);
        }

        var evaluation = new RankingEvaluatorOptions { Cutoffs = EvalOptionParsing.Cutoffs(settings.K) };
        var results = new List<BeirResult>();
        if (settings.Run is not null)
        {
            results.Add(BeirEvaluator.Score(dataset, $"run {Path.GetFileName(settings.Run)}", TrecRunReader.Read(settings.Run), evaluation));
        }
        else if (settings.MultiVector)
        {
            using LearnedContextCompressor? compressor = settings.Compressor is null ? null : LearnedContextCompressor.Load(settings.Compressor);
            var variants = compressor is null
                ? LateInteractionOptions.Variants(settings.Ratio, settings.Method, settings.Int8)
                : LateInteractionOptions.LearnedVariants(compressor, settings.Ratio, settings.Int8, settings.BatchSize);
            var ml = new MLContext(seed: 0);
            var (transformerEncoder, model) = EvalEncoders.Create(ml, settings.Compressor ?? settings.Model, settings.BatchSize, settings.Threads, fuseGraph: !settings.NoFuse,
                tokenEmbeddingsColumn: "Tokens");
            using CachedTextEmbedder? cache = settings.TokenCache is null ? null : LateInteractionOptions.OpenCache(transformerEncoder, model, settings.TokenCache, !settings.NoFuse);
            ITextEmbedder encoder = (ITextEmbedder?)cache ?? transformerEncoder;
            var retrieval = new MultiVectorRetrievalOptions
            {
                TopK = evaluation.Cutoffs.Max(),
                QueryPrefix = settings.QueryPrefix ?? model.Config.QueryPrefix,
                DocumentPrefix = model.Config.DocumentPrefix,
            };
            if (compressor is null)
                variants.Insert(0, LateInteractionVariants.Dense(model.Config.Pooling, model.Config.Normalize));
            var multi = ConsoleProgress.Encoding(progress => BeirEvaluator.EvaluateMultiVector(dataset, encoder, model.Config.HiddenSize, variants,
                retrieval, evaluation, progress, cancellationToken));
            results.AddRange(multi.Select(r => new BeirResult(r.Dataset, r.Split, $"{model.Name}, {r.System}", r.Metrics, r.Elapsed, r.Documents, r.Queries,
                r.QrelsDocumentsMissingFromCorpus, r.QrelsQueriesMissingFromQueries) { Run = r.Run, Index = r.Index }));
            if (settings.SaveRun is not null)
                TrecRunReader.Write(multi[^1].Run!, settings.SaveRun, model.Name);
        }
        else if (!settings.Bm25Only)
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
            var run = ConsoleProgress.Encoding(progress => DenseRetriever.Retrieve(dataset, embedder, retrieval, progress, cancellationToken));
            results.Add(BeirEvaluator.Score(dataset, model.Name, run, evaluation, DateTime.UtcNow - started));
            if (settings.SaveRun is not null)
                TrecRunReader.Write(run, settings.SaveRun, model.Name);
        }
        if (settings.Bm25 || settings.Bm25Only)
        {
            BeirResult bm25 = ConsoleProgress.Encoding(progress => BeirEvaluator.EvaluateBm25(dataset, null, evaluation, progress, cancellationToken));
            results.Add(bm25);
            if (settings.Bm25Only && settings.SaveRun is not null)
                TrecRunReader.Write(bm25.Run!, settings.SaveRun, "bm25");
        }

        if (keywords is not null)
        {
            foreach (BeirResult first in results.ToArray())
            {
                foreach (KeywordRerankOptions options in keywordSettings!)
                {
                    var started = DateTime.UtcNow;
                    KeywordRerankResult reranked = KeywordReranker.Rerank(dataset.Corpus, first.Run!, keywords, options, cancellationToken);
                    string system = $"{first.System} + {options.Describe()}";
                    BeirResult scored = BeirEvaluator.Score(dataset, system, reranked.Run, evaluation, first.Elapsed + (DateTime.UtcNow - started));
                    KeywordRerankCliOptions.PrintRerank(reranked, first, scored);
                    results.Add(scored);
                }
            }
        }

        Print(results);
        if (settings.MultiVector)
            LateInteractionOptions.PrintIndexes(results);
        if (settings.Json is not null)
            EvaluationJson.Write(settings.Json, EvaluationJson.Serialize(results));
        if (settings.Markdown is not null)
            MLNetExt.Transforms.IO.AtomicFile.WriteAllText(settings.Markdown, MarkdownTable.Beir(results));
        if (settings.Plot is not null)
            RecallCurvePlot.Save(results, settings.Plot);
        return 0;
    }

    /// <summary>The qrels ids missing from corpus.jsonl or queries.jsonl, a few of each named; null when none are.</summary>
    internal static string? MissingIdsWarning(BeirDataset dataset)
    {
        static string? Part(IReadOnlyCollection<string> ids, string what, string file) => ids.Count == 0 ? null
            : $"{ids.Count} {what} missing from {file} (e.g. {string.Join(", ", ids.Take(5))})";
        string[] parts = new[]
        {
            Part(dataset.QrelsDocumentsMissingFromCorpus, "documents", "corpus.jsonl"),
            Part(dataset.QrelsQueriesMissingFromQueries, "queries", "queries.jsonl"),
        }.OfType<string>().ToArray();
        return parts.Length == 0 ? null : $"qrels name {string.Join(" and ", parts)}; they stay in the qrels.";
    }

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
