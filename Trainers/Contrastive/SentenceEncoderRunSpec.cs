using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Contrastive;

/// <summary>What <see cref="SentenceEncoderRun.Execute"/> trains on and how (the settings of <c>mlnetext train embed</c>).</summary>
public sealed class SentenceEncoderRunSpec
{
    /// <summary>Loss name (<see cref="Losses.SentenceLosses.Names"/>).</summary>
    public string Loss { get; init; } = "mnrl";

    /// <summary>
    /// Training data: a tab-separated file with a header naming <see cref="TextColumns"/> (and <see cref="ScoreColumn"/>);
    /// for a single text column also a plain text file (<c>.txt</c>: one text per non-empty line, WikiText
    /// <c> = Heading = </c> lines skipped); or a BEIR folder, whose <see cref="BeirSplit"/> qrels give (query, relevant
    /// document[, BM25 hard negatives]) rows (<see cref="RetrievalTrainingPairs"/>; <see cref="TextColumns"/> is then ignored).
    /// </summary>
    public required string DataPath { get; init; }

    /// <summary>
    /// Further training sets of the same kind as <see cref="DataPath"/> (same columns): batches are drawn from one set at
    /// a time and the sets take turns (round-robin). Empty by default.
    /// </summary>
    public IReadOnlyList<string> AdditionalDataPaths { get; init; } = [];

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

    /// <summary>Qrels split of a BEIR <see cref="DataPath"/>. Default <c>train</c>.</summary>
    public string BeirSplit { get; init; } = "train";

    /// <summary>BM25-mined hard negatives per row of a BEIR <see cref="DataPath"/> (0 to 2).</summary>
    public int HardNegatives { get; init; }

    /// <summary>BM25 ranks skipped before hard negatives are taken.</summary>
    public int HardNegativeSkip { get; init; }

    /// <summary>An STS file scored before and after training (and during it, see <see cref="EvaluateEvery"/>); null for none.</summary>
    public string? EvalStsPath { get; init; }

    /// <summary>A BEIR folder whose <see cref="EvalBeirSplit"/> is scored before and after training (and during it); null for none.</summary>
    public string? EvalBeirPath { get; init; }

    /// <summary>Qrels split of <see cref="EvalBeirPath"/>. Default <c>test</c>.</summary>
    public string EvalBeirSplit { get; init; } = "test";

    /// <summary>
    /// Evaluate the STS / BEIR sets during training too: null never (only before and after), 0 at the end of each epoch,
    /// N every N steps. The first set given (STS before BEIR) decides early stopping and the kept weights.
    /// </summary>
    public int? EvaluateEvery { get; init; }

    /// <summary>Stop after this many evaluations without improvement (0: never).</summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>End with the weights of the best evaluation during training rather than the last step's. Default true.</summary>
    public bool KeepBestModel { get; init; } = true;

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

    /// <summary>Stop after this many steps; null for all epochs.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 2e-5;

    /// <summary>Fraction of the steps of linear warmup.</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>Batches per length-sorting window (<see cref="Training.TrainingOptions.LengthBucketBatches"/>); 0 for none.</summary>
    public int LengthBucketBatches { get; init; }

    /// <summary>Longest input in tokens.</summary>
    public int MaxTokens { get; init; } = 128;

    /// <summary>Score the STS and BEIR sets before training too (they are always scored after). Default true.</summary>
    public bool EvaluateBefore { get; init; } = true;

    /// <summary>Longest input in tokens when the STS and BEIR sets are scored; null for <see cref="MaxTokens"/>.</summary>
    public int? EvalMaxTokens { get; init; }

    /// <summary>Seed of data order and dropout.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Folder the trained encoder is written to (Hugging Face layout); null to skip.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Checkpoint folder (a rerun with the same settings resumes); null for none.</summary>
    public string? CheckpointDirectory { get; init; }
}
