using Microsoft.ML;
using MLNetExt.Evaluation.Embeddings;
using MLNetExt.Evaluation.IO;
using MLNetExt.Evaluation.Sts;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>What <see cref="SentenceEncoderRun.Execute"/> trains on and how (the settings of <c>mlnetext train embed</c>).</summary>
public sealed class SentenceEncoderRunSpec
{
    /// <summary>Loss name (<see cref="SentenceLosses.Names"/>).</summary>
    public string Loss { get; init; } = "mnrl";

    /// <summary>
    /// Training file: a tab-separated file with a header naming <see cref="TextColumns"/> (and <see cref="ScoreColumn"/>),
    /// or, for a single text column, a plain text file (<c>.txt</c>: one text per non-empty line, WikiText
    /// <c> = Heading = </c> lines skipped).
    /// </summary>
    public required string DataPath { get; init; }

    /// <summary>Header names of the text columns, in the loss's order.</summary>
    public IReadOnlyList<string> TextColumns { get; init; } = ["sentence1", "sentence2"];

    /// <summary>Header name of the score column (scored-pair losses).</summary>
    public string ScoreColumn { get; init; } = "score";

    /// <summary>Declared score range (both or neither).</summary>
    public float? ScoreMinimum { get; init; }

    /// <summary>Declared score range (both or neither).</summary>
    public float? ScoreMaximum { get; init; }

    /// <summary>Use the first this many rows (null: all).</summary>
    public int? MaxRows { get; init; }

    /// <summary>An STS file scored before and after training with the STS evaluator (cosine Spearman); null for none.</summary>
    public string? EvalStsPath { get; init; }

    /// <summary>Pretrained encoder name or Hugging Face-layout folder.</summary>
    public string Encoder { get; init; } = "all-MiniLM-L6-v2";

    /// <summary>Pooling trained and served; null for the encoder's own.</summary>
    public EncoderPooling? Pooling { get; init; }

    /// <summary>Rows per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Rows embedded at once by <c>cached-mnrl</c>.</summary>
    public int MiniBatchSize { get; init; } = 32;

    /// <summary>Passes over the rows.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 2e-5;

    /// <summary>Longest input in tokens.</summary>
    public int MaxTokens { get; init; } = 128;

    /// <summary>Seed of data order and dropout.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Folder the trained encoder is written to (Hugging Face layout); null to skip.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Checkpoint folder (a rerun with the same settings resumes); null for none.</summary>
    public string? CheckpointDirectory { get; init; }
}

/// <summary>What a run did: the figures <c>mlnetext train embed</c> prints and writes as JSON.</summary>
/// <param name="Encoder">The encoder trained.</param>
/// <param name="Loss">The loss name.</param>
/// <param name="TrainingRows">Rows trained on.</param>
/// <param name="StsBefore">Cosine Spearman on the STS file before training (null without one).</param>
/// <param name="StsAfter">Cosine Spearman after training.</param>
/// <param name="Training">Steps, loss and throughput.</param>
/// <param name="Model">The trained encoder.</param>
public sealed record SentenceEncoderRunResult(string Encoder, string Loss, int TrainingRows, double? StsBefore, double? StsAfter,
    TrainingResult Training, EncoderModel Model);

/// <summary>The library service behind <c>mlnetext train embed</c>: read a file, train, evaluate, save.</summary>
public static class SentenceEncoderRun
{
    private sealed class Row
    {
        public string T0 { get; set; } = "";
        public string T1 { get; set; } = "";
        public string T2 { get; set; } = "";
        public string T3 { get; set; } = "";
        public float Score { get; set; }
    }

    private sealed class Sentence
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Runs <paramref name="spec"/>.</summary>
    /// <exception cref="DataFileException">The training file lacks a named column or holds a bad score (the message names file, line and column).</exception>
    public static SentenceEncoderRunResult Execute(SentenceEncoderRunSpec spec, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.TextColumns.Count is < 1 or > 4)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.TextColumns.Count, "Give 1 to 4 text columns.");
        SentenceEmbeddingLoss loss = SentenceLosses.Create(spec.Loss, spec.MiniBatchSize);
        var ml = new MLContext(seed: spec.Seed);
        EncoderModel encoder = Directory.Exists(spec.Encoder) ? EncoderModel.Load(spec.Encoder) : PretrainedEncoders.Load(spec.Encoder);
        List<Row> rows = ReadRows(spec, loss.Input == SentenceLossInput.ScoredPair);
        IReadOnlyList<StsPair>? sts = spec.EvalStsPath is null ? null : StsReader.Read(spec.EvalStsPath);
        double? before = sts is null ? null : Score(ml, encoder, sts, spec, cancellationToken);

        var trainer = ml.Transforms.Text.TrainSentenceEncoder(new SentenceEncoderTrainingOptions
        {
            Model = encoder, Loss = loss, TextColumnNames = Enumerable.Range(0, spec.TextColumns.Count).Select(i => $"T{i}").ToArray(),
            TargetColumnName = nameof(Row.Score), ScoreMinimum = spec.ScoreMinimum, ScoreMaximum = spec.ScoreMaximum, Pooling = spec.Pooling,
            MaxTokens = spec.MaxTokens, Progress = progress,
            Training = new TrainingOptions
            {
                BatchSize = spec.BatchSize, Epochs = spec.Epochs, LearningRate = spec.LearningRate, Seed = spec.Seed, CheckpointDirectory = spec.CheckpointDirectory,
            },
        });
        SentenceEncoderTrainingResult result = trainer.Train(ml.Data.LoadFromEnumerable(rows), cancellationToken);
        double? after = sts is null ? null : Score(ml, result.Model, sts, spec, cancellationToken);
        if (spec.OutputDirectory is not null)
            result.SaveFolder(spec.OutputDirectory);
        return new SentenceEncoderRunResult(encoder.Name, loss.Name, rows.Count, before, after, result.Training, result.Model);
    }

    private static double Score(MLContext ml, EncoderModel model, IReadOnlyList<StsPair> pairs, SentenceEncoderRunSpec spec, CancellationToken cancellationToken)
    {
        TextEncoderTransformer transformer = ml.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            Model = model, InputColumnName = "Text", OutputColumnName = "Embedding", MaxTokens = spec.MaxTokens, Pooling = spec.Pooling,
        }).Fit(ml.Data.LoadFromEnumerable(Array.Empty<Sentence>()));
        try
        {
            return StsEvaluator.Evaluate(pairs, new TransformerEmbedder(ml, transformer, "Text", "Embedding"), cancellationToken: cancellationToken).CosineSpearman;
        }
        finally
        {
            transformer.Dispose(); // an IOwnedTransformer: its owner ends it
        }
    }

    private static IEnumerable<(int Number, string Text)> NumberedLines(string path) =>
        File.ReadLines(path).Select((text, index) => (index + 1, text.TrimEnd('\r')));

    private static List<Row> ReadRows(SentenceEncoderRunSpec spec, bool scored)
    {
        var rows = new List<Row>();
        int limit = spec.MaxRows ?? int.MaxValue;
        if (spec.TextColumns.Count == 1 && !scored && spec.DataPath.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
        {
            foreach ((_, string text) in NumberedLines(spec.DataPath))
            {
                string line = text.Trim();
                if (line.Length == 0 || (line.StartsWith('=') && line.EndsWith('=')))
                    continue;
                rows.Add(new Row { T0 = line });
                if (rows.Count >= limit)
                    break;
            }
            return rows;
        }

        int[]? textIndex = null;
        int scoreIndex = -1;
        foreach ((int number, string text) in NumberedLines(spec.DataPath))
        {
            string[] fields = text.Split('\t');
            if (textIndex is null)
            {
                int Find(string name) => Array.IndexOf(fields, name) is int i and >= 0 ? i
                    : throw new DataFileException(spec.DataPath, number, 0, $"expected a header naming column '{name}', got: {string.Join(" | ", fields)}.");
                textIndex = spec.TextColumns.Select(Find).ToArray();
                if (scored)
                    scoreIndex = Find(spec.ScoreColumn);
                continue;
            }
            if (text.Length == 0)
                continue;
            int needed = Math.Max(textIndex.Max(), scoreIndex) + 1;
            if (fields.Length < needed)
                throw new DataFileException(spec.DataPath, number, 0, $"expected at least {needed} tab-separated fields, got {fields.Length}.");
            var row = new Row();
            string[] values = textIndex.Select(i => fields[i]).ToArray();
            (row.T0, row.T1, row.T2, row.T3) = (values[0], values.ElementAtOrDefault(1) ?? "", values.ElementAtOrDefault(2) ?? "", values.ElementAtOrDefault(3) ?? "");
            if (scored)
            {
                if (!float.TryParse(fields[scoreIndex], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float score))
                    throw new DataFileException(spec.DataPath, number, scoreIndex + 1, $"expected a score (a number), got '{fields[scoreIndex]}'.");
                row.Score = score;
            }
            rows.Add(row);
            if (rows.Count >= limit)
                break;
        }
        if (textIndex is null)
            throw new DataFileException(spec.DataPath, 0, 0, "the file is empty; expected a header line.");
        return rows;
    }
}
