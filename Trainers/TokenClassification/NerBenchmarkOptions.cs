using MLNetExt.Evaluation.Ner;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.TokenClassification;

/// <summary>Options of <see cref="NerBenchmark"/> (<c>mlnetext train ner</c>).</summary>
public sealed class NerBenchmarkOptions
{
    /// <summary>Folder holding <c>train.conll</c> and <c>dev.conll</c> (word TAB tag, blank line between sentences).</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>The encoder to fine-tune; null means all-MiniLM-L6-v2.</summary>
    public EncoderModel? Encoder { get; set; }

    /// <summary>Tagging scheme of the files. Default BIO.</summary>
    public TaggingScheme Scheme { get; set; } = TaggingScheme.Bio;

    /// <summary>Use only the first this many training sentences (null: all).</summary>
    public int? MaxTrainSentences { get; set; }

    /// <summary>Longest sentence in word pieces, special tokens included (later words are tagged O). Default 128.</summary>
    public int MaxTokens { get; set; } = 128;

    /// <summary>Train the head only, keeping the encoder.</summary>
    public bool FreezeEncoder { get; set; }

    /// <summary>Also fit and score the frozen baseline (token embeddings + L-BFGS maximum entropy per word).</summary>
    public bool Baseline { get; set; } = true;

    /// <summary>Folder the fine-tuned model (<c>model.zip</c>) and the dev predictions (<c>dev.predictions.conll</c>) are written to; null for none.</summary>
    public string? OutputDirectory { get; set; }

    /// <summary>The optimisation loop (defaults here: batch 16, 3 epochs, learning rate 5e-5).</summary>
    public TrainingOptions Training { get; set; } = new() { BatchSize = 16, Epochs = 3, LearningRate = 5e-5 };

    /// <summary>Receives a report after every training step.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }
}
