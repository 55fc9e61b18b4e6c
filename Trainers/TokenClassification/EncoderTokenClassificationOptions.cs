using Microsoft.ML;
using MLNetExt.Evaluation.Ner;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.TokenClassification;

/// <summary>Options of the token-classification (named-entity) trainer.</summary>
/// <remarks>
/// What the task reads and writes, the tagging and the encoder live here; the optimisation loop's settings live in
/// <see cref="Training"/>. The trainer copies and checks the options once, when it is created.
/// </remarks>
public sealed class EncoderTokenClassificationOptions
{
    /// <summary>Label column: a vector of keys, one tag per word (map tag strings with <c>MapValueToKey</c>); the keys must carry their tag names.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Text column of the sentence; its words are its runs of non-whitespace characters (as ML.NET's NER trainer reads it).</summary>
    public string SentenceColumnName { get; set; } = "Sentence";

    /// <summary>Output column: one predicted tag (key, same key count as the label) per word.</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>Output column: the probability of each word's predicted tag.</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>Output column of the decoded entities (text vector, <c>type TAB start TAB end TAB text</c> each); null for none.</summary>
    public string? EntitiesColumnName { get; set; } = "Entities";

    /// <summary>How the tags mark entities: BIO (default) or BIOES. Every tag name must belong to it.</summary>
    public TaggingScheme Scheme { get; set; } = TaggingScheme.Bio;

    /// <summary>How predicted tags become entities (the entities column and the validation F1). Default strict (seqeval).</summary>
    public EntityDecoding Decoding { get; set; } = EntityDecoding.Strict;

    /// <summary>
    /// Weight of each tag in the cross-entropy loss, by tag name (e.g. down-weight <c>O</c>); tags not listed weigh 1.
    /// Null: all tags weigh 1.
    /// </summary>
    public IReadOnlyDictionary<string, float>? ClassWeights { get; set; }

    /// <summary>The encoder to start from; null means all-MiniLM-L6-v2 (<see cref="PretrainedEncoders.MiniLM"/>) from the default cache folder.</summary>
    public EncoderModel? Encoder { get; set; }

    /// <summary>
    /// Longest input in word pieces, special tokens included; words past it are dropped in training (counted in the
    /// log) and tagged <c>O</c> in serving. Between 3 and the encoder's position table. Default 128.
    /// </summary>
    public int MaxTokens { get; set; } = 128;

    /// <summary>Train the linear head only and keep the encoder's weights.</summary>
    public bool FreezeEncoder { get; set; }

    /// <summary>Rows to evaluate on during training (same columns as the training data); enables early stopping on entity F1.</summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>The optimisation loop: batch size, epochs, learning rate, warmup, seed, threads, evaluation, early stopping, checkpoints.</summary>
    public TrainingOptions Training { get; set; } = new();

    /// <summary>Receives a report after every step (besides ML.NET's progress channel).</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>A copy whose <see cref="Training"/> options are copied too.</summary>
    public EncoderTokenClassificationOptions Clone()
    {
        var copy = (EncoderTokenClassificationOptions)MemberwiseClone();
        copy.Training = (Training ?? throw new ArgumentNullException(nameof(Training), "Training options must not be null.")).Clone();
        return copy;
    }

    /// <summary>The one copy-and-check of the options.</summary>
    internal EncoderTokenClassificationOptions Validated()
    {
        EncoderTokenClassificationOptions copy = Clone();
        copy.Training.Validate();
        foreach ((string name, string? value) in new[] { (nameof(LabelColumnName), copy.LabelColumnName), (nameof(SentenceColumnName), copy.SentenceColumnName),
                     (nameof(PredictedLabelColumnName), copy.PredictedLabelColumnName), (nameof(ScoreColumnName), copy.ScoreColumnName) })
        {
            if (string.IsNullOrEmpty(value))
                throw new ArgumentException($"{name} must not be empty.", name);
        }
        if (!Enum.IsDefined(copy.Scheme))
            throw new ArgumentOutOfRangeException(nameof(Scheme), copy.Scheme, $"Unknown tagging scheme {copy.Scheme}.");
        if (!Enum.IsDefined(copy.Decoding))
            throw new ArgumentOutOfRangeException(nameof(Decoding), copy.Decoding, $"Unknown entity decoding {copy.Decoding}.");
        if (copy.ClassWeights?.FirstOrDefault(w => !(w.Value >= 0) || float.IsInfinity(w.Value)) is { Key: not null } bad)
            throw new ArgumentOutOfRangeException(nameof(ClassWeights), bad.Value, $"The weight of tag '{bad.Key}' must be a finite number >= 0.");
        (copy.Encoder?.Config ?? PretrainedEncoders.MiniLM.Config).ResolveMaxTokens(copy.MaxTokens, nameof(MaxTokens));
        return copy;
    }

    /// <summary>The encoder to start from: <see cref="Encoder"/>, or all-MiniLM-L6-v2 from the default cache folder.</summary>
    internal EncoderModel ResolveEncoder() => Encoder ?? PretrainedEncoders.Load(PretrainedEncoders.MiniLM.Name);
}
