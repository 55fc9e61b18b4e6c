using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using MLNetExt.Cli.Commands.Train;
using MLNetExt.Cli.Infrastructure;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.IO;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLNetExt.Cli.Commands.Contrastive;

/// <summary>
/// <c>mlnetext train embed</c>: trains a sentence encoder with a contrastive, scored-pair or self-supervised loss
/// (<see cref="SentenceEncoderRun"/>), optionally scoring an STS file and a BEIR split before, during and after training,
/// and writes the trained encoder as a Hugging Face-layout folder.
/// </summary>
public sealed class TrainEmbedCommand : Command<TrainEmbedCommand.Settings>
{
    /// <summary>Options of <c>train embed</c>.</summary>
    public sealed class Settings : EvaluatedTrainingLoopSettings
    {
        /// <summary>The loss.</summary>
        [CommandOption("--loss <NAME>")]
        [Description("mnrl, mnrl-symmetric, cached-mnrl, cosent, cosine, mirror-bert or simcse.")]
        public string Loss { get; init; } = "mnrl";

        /// <summary>Training file or BEIR folder.</summary>
        [CommandOption("--data <FILE|DIR>")]
        [Description("Tab-separated file with a header naming --columns (and --score-column); for one text column also a .txt file, one text per line; " +
            "or a BEIR folder: its --split qrels give (query, relevant document[[, --hard-negatives from BM25]]) rows for mnrl.")]
        public string Data { get; init; } = "";

        /// <summary>Further training sets (round-robin with --data).</summary>
        [CommandOption("--also-data <FILE|DIR>")]
        [Description("A further training set like --data (same columns); repeat for more. Batches come from one set at a time and the sets take turns (round-robin).")]
        public string[] AlsoData { get; init; } = [];

        /// <summary>Text columns.</summary>
        [CommandOption("--columns <NAMES>")]
        [Description("Comma-separated header names of the text columns in the loss's order (anchor,positive[[,negative]] / first,second / text). Default sentence1,sentence2; for mirror-bert and simcse sentence1 (any name for a .txt file).")]
        public string? Columns { get; init; }

        /// <summary>The text columns: <see cref="Columns"/>, or the loss's default (one column for the self-supervised losses).</summary>
        internal string[] TextColumns => (Columns ?? (Loss is "mirror-bert" or "simcse" ? "sentence1" : "sentence1,sentence2"))
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        /// <summary>Score column.</summary>
        [CommandOption("--score-column <NAME>")]
        public string ScoreColumn { get; init; } = "score";

        /// <summary>Declared score range, MIN:MAX.</summary>
        [CommandOption("--score-range <MIN:MAX>")]
        [Description("Declared score range, e.g. 0:5 for STS-B: scores outside it are an error; the cosine loss trains on them mapped onto [[0, 1]].")]
        public string? ScoreRange { get; init; }

        /// <summary>Row cap.</summary>
        [CommandOption("--max-rows <N>")]
        public int? MaxRows { get; init; }

        /// <summary>Qrels split of a BEIR --data folder.</summary>
        [CommandOption("--split <NAME>")]
        [Description("Qrels split of a BEIR --data folder (default train).")]
        public string Split { get; init; } = "train";

        /// <summary>BM25 hard negatives per row.</summary>
        [CommandOption("--hard-negatives <N>")]
        [Description("With a BEIR --data folder: BM25's top non-relevant documents per query added as hard-negative columns (0-2).")]
        public int HardNegatives { get; init; }

        /// <summary>BM25 ranks skipped before the negatives.</summary>
        [CommandOption("--hard-negative-skip <N>")]
        [Description("BM25 ranks of non-relevant documents skipped before the hard negatives are taken (likely unjudged positives).")]
        public int HardNegativeSkip { get; init; }

        /// <summary>STS file scored before and after.</summary>
        [CommandOption("--eval-sts <FILE>")]
        [Description("STS file (any layout eval sts reads) scored before and after training, and during it with --eval-every.")]
        public string? EvalSts { get; init; }

        /// <summary>BEIR folder scored before and after.</summary>
        [CommandOption("--eval-beir <DIR>")]
        [Description("BEIR folder whose --eval-beir-split is scored (NDCG@10) before and after training, and during it with --eval-every.")]
        public string? EvalBeir { get; init; }

        /// <summary>Split of --eval-beir.</summary>
        [CommandOption("--eval-beir-split <NAME>")]
        public string EvalBeirSplit { get; init; } = "test";

        /// <summary>Mini-batch of cached-mnrl.</summary>
        [CommandOption("--mini-batch-size <N>")]
        public int MiniBatchSize { get; init; } = 32;






        /// <summary>Skip scoring before training.</summary>
        [CommandOption("--skip-before")]
        [Description("Score the --eval-sts / --eval-beir sets after training only (large BEIR corpora take long to encode).")]
        public bool SkipBefore { get; init; }

        /// <summary>Longest input when scoring the evaluation sets.</summary>
        [CommandOption("--eval-max-tokens <N>")]
        [Description("Longest input in tokens when the --eval-sts / --eval-beir sets are scored before and after (default: --max-tokens).")]
        public int? EvalMaxTokens { get; init; }


        /// <summary>Output folder.</summary>
        [CommandOption("--out <DIR>")]
        public string? Out { get; init; }



        /// <inheritdoc/>
        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Data) ? ValidationResult.Error("--data is required.")
            : !SentenceLosses.Names.Contains(Loss) ? ValidationResult.Error($"--loss must be one of {string.Join(", ", SentenceLosses.Names)}, got '{Loss}'.")
            : ScoreRange is not null && ParseRange(ScoreRange) is null ? ValidationResult.Error($"--score-range must be MIN:MAX, got '{ScoreRange}'.")
            : EvalEvery is not null && EvalSts is null && EvalBeir is null ? ValidationResult.Error("--eval-every needs --eval-sts or --eval-beir.")
            : HardNegatives is < 0 or > 2 ? ValidationResult.Error($"--hard-negatives must be 0, 1 or 2, got {HardNegatives}.")
            : ValidateEvaluatedTrainingLoop();

        /// <inheritdoc/>
        protected override double DefaultLearningRate => 2e-5;

        internal static (float Min, float Max)? ParseRange(string text)
        {
            string[] parts = text.Split(':');
            return parts.Length == 2 && float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out float min)
                && float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out float max) ? (min, max) : null;
        }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        (float Min, float Max)? range = settings.ScoreRange is null ? null : Settings.ParseRange(settings.ScoreRange);
        var spec = new SentenceEncoderRunSpec
        {
            Loss = settings.Loss, DataPath = settings.Data, AdditionalDataPaths = settings.AlsoData, TextColumns = settings.TextColumns,
            ScoreColumn = settings.ScoreColumn, ScoreMinimum = range?.Min, ScoreMaximum = range?.Max, MaxRows = settings.MaxRows,
            BeirSplit = settings.Split, HardNegatives = settings.HardNegatives, HardNegativeSkip = settings.HardNegativeSkip,
            EvalStsPath = settings.EvalSts, EvalBeirPath = settings.EvalBeir, EvalBeirSplit = settings.EvalBeirSplit,
            EvaluateEvery = settings.EvaluationSteps, EarlyStoppingPatience = settings.EarlyStopping,
            KeepBestModel = !settings.KeepLast, Encoder = settings.EncoderName,
            Pooling = settings.PoolingMode,
            BatchSize = settings.BatchSize, MiniBatchSize = settings.MiniBatchSize, Epochs = settings.Epochs, MaxSteps = settings.MaxSteps,
            LearningRate = settings.PeakLearningRate, WarmupFraction = settings.Warmup, LengthBucketBatches = settings.LengthBuckets, MaxTokens = settings.InputTokens, EvalMaxTokens = settings.EvalMaxTokens, EvaluateBefore = !settings.SkipBefore, Seed = settings.Seed, OutputDirectory = settings.Out,
            CheckpointDirectory = settings.CheckpointDirectory,
        };
        var progress = new Progress(p =>
        {
            if (p.Metrics is not null)
                AnsiConsole.MarkupLine($"[grey]step {p.Step}/{p.TotalSteps} loss {p.Loss:F4}[/] eval: " +
                    Markup.Escape(string.Join(", ", p.Metrics.Where(m => IsHeadline(m.Key)).Select(m => $"{m.Key} {100 * m.Value:F2}"))));
            else if (p.Step % 25 == 0 || p.Step == p.TotalSteps)
                AnsiConsole.MarkupLine($"[grey]step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} ({p.RowsPerSecond:F1} rows/s, {ConsoleProgress.Eta(p)})[/]");
        });
        SentenceEncoderRunResult result = SentenceEncoderRun.Execute(spec, progress, cancellationToken);
        TrainingResult training = result.Training;

        AnsiConsole.MarkupLine($"Trained {Markup.Escape(result.Encoder)} with {result.Loss} on {result.TrainingRows} rows: {training.Steps} steps, " +
            $"{training.TrainingSeconds:F0} s, {training.RowsPerSecond:F1} rows/s, mean loss {training.MeanLoss:F4}");
        if (training.BestStep > 0)
            AnsiConsole.MarkupLine($"Best evaluation at step {training.BestStep} ({100 * training.BestMetric:F2})" +
                (training.RestoredBestModel ? "; the trained encoder has that step's weights" : "") + (training.StoppedEarly ? "; stopped early" : ""));
        static string Before(double? value) => value is { } v ? $"before {100 * v:F2}, " : "";
        if (result.StsAfter is { } after)
            AnsiConsole.MarkupLine($"[bold]STS cosine Spearman: {Before(result.StsBefore?.CosineSpearman)}after {100 * after.CosineSpearman:F2}[/]");
        if (result.BeirAfter is { } beirAfter)
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(beirAfter.Dataset)} {Markup.Escape(beirAfter.Split)} NDCG@10: {Before(result.BeirBefore?.Metrics.Ndcg(10))}" +
                $"after {100 * beirAfter.Metrics.Ndcg(10):F2}[/] (recall@100: {Before(result.BeirBefore?.Metrics.Recall(100))}after {100 * beirAfter.Metrics.Recall(100):F2})");
        if (settings.Out is not null)
            AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(settings.Out)}[/] (model.onnx, vocab.txt, config.json)");
        if (settings.Json is not null)
        {
            AtomicFile.WriteAllText(settings.Json, JsonSerializer.Serialize(new
            {
                encoder = result.Encoder, loss = result.Loss, rows = result.TrainingRows,
                sts_before = result.StsBefore?.CosineSpearman, sts_after = result.StsAfter?.CosineSpearman,
                beir_ndcg_10_before = result.BeirBefore?.Metrics.Ndcg(10), beir_ndcg_10_after = result.BeirAfter?.Metrics.Ndcg(10),
                beir_recall_100_before = result.BeirBefore?.Metrics.Recall(100), beir_recall_100_after = result.BeirAfter?.Metrics.Recall(100),
                steps = training.Steps, seconds = training.TrainingSeconds, rows_per_second = training.RowsPerSecond,
                mean_loss = training.MeanLoss, best_step = training.BestStep, best_metric = double.IsNaN(training.BestMetric) ? (double?)null : training.BestMetric,
                restored_best = training.RestoredBestModel, stopped_early = training.StoppedEarly,
                evaluations = training.Evaluations.Select(e => new { step = e.Step, metrics = e.Metrics }),
                settings = spec,
            }, new JsonSerializerOptions { WriteIndented = true }));
        }
        return 0;
    }

    // The figures worth a line of progress: STS cosine Spearman and BEIR NDCG@10 / recall@100.
    private static bool IsHeadline(string metric) =>
        metric.EndsWith("/cosine_spearman", StringComparison.Ordinal) || metric.EndsWith("/ndcg_cut_10", StringComparison.Ordinal)
        || metric.EndsWith("/recall_100", StringComparison.Ordinal);

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
