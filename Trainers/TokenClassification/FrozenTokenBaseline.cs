using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Evaluation.Ner;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.TokenClassification;

/// <summary>
/// The frozen baseline of token classification: the pretrained encoder's last hidden state at each word's first word
/// piece (through <c>EncodeText</c>'s token embeddings, the encoder untouched) fed, mean-variance normalised, to a stock
/// ML.NET multiclass trainer (L-BFGS maximum entropy), one row per word. Words without a piece are tagged <c>O</c>.
/// </summary>
public static class FrozenTokenBaseline
{
    private sealed class WordRow
    {
        public float[] Features { get; set; } = [];
        public uint Label { get; set; }
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Fits the baseline on <paramref name="train"/> and tags <paramref name="dev"/>.</summary>
    /// <param name="train">Training sentences.</param>
    /// <param name="dev">Sentences to tag (their gold tags are not read).</param>
    /// <param name="tags">The tag set, by class index.</param>
    /// <param name="encoder">The frozen encoder.</param>
    /// <param name="maxTokens">Word pieces per sentence, special tokens included.</param>
    /// <param name="seed">Seed of the ML.NET trainer.</param>
    /// <param name="cancellationToken">Stops the encoding between batches.</param>
    /// <returns>The predicted tags of each dev sentence, the seconds spent training (encoding the training set
    /// included) and the seconds spent tagging dev.</returns>
    public static (string[][] Predicted, double TrainingSeconds, double TaggingSeconds) Run(IReadOnlyList<ConllSentence> train, IReadOnlyList<ConllSentence> dev,
        IReadOnlyList<string> tags, EncoderModel encoder, int maxTokens, int seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(dev);
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(encoder);
        var ml = new MLContext(seed);
        var clock = Stopwatch.StartNew();
        TextEncoderTransformer embedder = ml.Transforms.Text.EncodeText(new TextEncoderOptions
        {
            InputColumnName = nameof(TextRow.Text), OutputColumnName = "Sentence", TokenEmbeddingsColumnName = "Tokens", Model = encoder,
            MaxTokens = maxTokens, BatchSize = 64,
        }).Fit(ml.Data.LoadFromEnumerable(Array.Empty<TextRow>()));
        try
        {
            return Run(ml, embedder, train, dev, tags, encoder, maxTokens, clock, cancellationToken);
        }
        finally
        {
            embedder.Dispose();
        }
    }

    private static (string[][] Predicted, double TrainingSeconds, double TaggingSeconds) Run(MLContext ml, TextEncoderTransformer embedder,
        IReadOnlyList<ConllSentence> train, IReadOnlyList<ConllSentence> dev, IReadOnlyList<string> tags, EncoderModel encoder, int maxTokens, Stopwatch clock,
        CancellationToken cancellationToken)
    {
        EncoderTokenizer tokenizer = EncoderTokenizer.Create(encoder, maxTokens);
        int hidden = encoder.Config.HiddenSize;
        var index = tags.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);

        var rows = new List<WordRow>();
        foreach ((ConllSentence sentence, float[]?[] words) in train.Zip(WordFeatures(ml, embedder, tokenizer, train, hidden, cancellationToken)))
        {
            for (int w = 0; w < words.Length; w++)
            {
                if (words[w] is { } features && index.TryGetValue(sentence.Tags[w], out int tag))
                    rows.Add(new WordRow { Features = features, Label = (uint)tag });
            }
        }
        var schema = SchemaDefinition.Create(typeof(WordRow));
        schema[nameof(WordRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, hidden);
        schema[nameof(WordRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), tags.Count);
        var classifier = ml.Transforms.NormalizeMeanVariance(nameof(WordRow.Features))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy()).Fit(ml.Data.LoadFromEnumerable(rows, schema));
        double trainingSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        float[]?[][] devWords = WordFeatures(ml, embedder, tokenizer, dev, hidden, cancellationToken);
        var flat = devWords.SelectMany(s => s).Where(f => f is not null).Select(f => new WordRow { Features = f! }).ToArray();
        uint[] keys = classifier.Transform(ml.Data.LoadFromEnumerable(flat, schema)).GetColumn<uint>("PredictedLabel").ToArray();
        string outside = tags.Contains(EntityTags.Outside) ? EntityTags.Outside : tags[0];
        int next = 0;
        string[][] predicted = devWords.Select(s => s.Select(f => f is null ? outside : tags[(int)keys[next++] - 1]).ToArray()).ToArray();
        return (predicted, trainingSeconds, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Per sentence, per word: the hidden state at the word's first piece, or null when it has none.</summary>
    private static float[]?[][] WordFeatures(MLContext ml, TextEncoderTransformer embedder, EncoderTokenizer tokenizer, IReadOnlyList<ConllSentence> sentences,
        int hidden, CancellationToken cancellationToken)
    {
        IDataView texts = ml.Data.LoadFromEnumerable(sentences.Select(s => new TextRow { Text = s.Text }).ToArray());
        float[][] states = embedder.Transform(texts, cancellationToken).GetColumn<float[]>("Tokens").ToArray();
        var result = new float[]?[sentences.Count][];
        for (int s = 0; s < sentences.Count; s++)
        {
            TokenizedText aligned = tokenizer.AlignWords(sentences[s].Words);
            if (states[s].Length != aligned.Length * hidden)
                throw new InvalidOperationException($"Sentence {s}: EncodeText produced {states[s].Length / hidden} tokens, the word alignment {aligned.Length}.");
            result[s] = aligned.Words!.FirstPieces.Select(p => p < 0 ? null : states[s].AsSpan(p * hidden, hidden).ToArray()).ToArray();
        }
        return result;
    }
}
