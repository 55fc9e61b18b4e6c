using MLNetExt.Evaluation.Ner;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>What a fine-tuned model needs besides its graph and vocabulary; saved as <c>fine_tuning.json</c>.</summary>
internal sealed class FineTunedModelInfo
{
    public int FormatVersion { get; set; } = 1;
    public FineTuningKind Kind { get; set; }
    public int ClassCount { get; set; }
    public string[]? ClassNames { get; set; }
    public string SentenceColumnName { get; set; } = "Sentence";
    public string? SecondSentenceColumnName { get; set; }
    public string ScoreColumnName { get; set; } = "Score";
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";
    public bool LowerCase { get; set; } = true;
    public int MaxTokens { get; set; } = 128;
    /// <summary>The encoder fine-tuned (for messages); absent in files written before it was recorded.</summary>
    public string? EncoderName { get; set; }
    /// <summary>Width of the last hidden state; 0 (older files) means: as the graph says.</summary>
    public int HiddenSize { get; set; }
    public int MaxPositionEmbeddings { get; set; } = 512;
    /// <summary>Token classification: the tagging scheme of <see cref="ClassNames"/>.</summary>
    public TaggingScheme Scheme { get; set; }
    /// <summary>Token classification: how predicted tags become the entities column.</summary>
    public EntityDecoding Decoding { get; set; }
    /// <summary>Token classification: the entities column (null: none).</summary>
    public string? EntitiesColumnName { get; set; }

    /// <summary>Records what the served graph needs to know of the encoder that was fine-tuned.</summary>
    public void DescribeEncoder(EncoderModel encoder)
    {
        LowerCase = encoder.Config.LowerCase;
        EncoderName = encoder.Name;
        HiddenSize = encoder.Config.HiddenSize;
        MaxPositionEmbeddings = encoder.Config.MaxPositionEmbeddings;
    }
}
