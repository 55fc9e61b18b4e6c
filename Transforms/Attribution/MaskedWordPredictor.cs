using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Runtime;
using MLNetExt.Transforms.Onnx;

namespace MLNetExt.Transforms.Attribution;

/// <summary>
/// Fills masked words: a <see cref="MaskedTextEncoder"/> reads the text with each masked word replaced by one
/// <c>[MASK]</c>, and a <see cref="MaskedLanguageModelHead"/> scores the vocabulary at that position; candidates are
/// the encoder's whole-word pieces (<see cref="MaskedTextEncoder.IsCandidate"/>). ReAGent uses it for context-aware
/// replacements (<see cref="WordBaseline.Predicted"/>).
/// </summary>
/// <remarks>
/// A model folder for <see cref="Load(string, MLContext?, int?)"/> is an encoder folder (config.json, vocab.txt,
/// model.onnx) holding the head as <see cref="MaskedLanguageModelHead.FileName"/>; <c>mlnetext train mlm</c> writes
/// one. Thread-safe: each call uses its own buffers on the shared session.
/// </remarks>
public sealed class MaskedWordPredictor : IDisposable
{
    private readonly MaskedTextEncoder _encoder;

    /// <summary>A predictor over <paramref name="encoder"/> and <paramref name="head"/>.</summary>
    /// <exception cref="ArgumentException">The head's width or vocabulary does not match the encoder's.</exception>
    public MaskedWordPredictor(EncoderModel encoder, MaskedLanguageModelHead head, MLContext? mlContext = null, int? maxTokens = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(head);
        if (head.Hidden != encoder.Config.HiddenSize)
            throw new ArgumentException($"The head reads hidden states of width {head.Hidden}; encoder {encoder.Name} has {encoder.Config.HiddenSize}.", nameof(head));
        var textEncoder = new MaskedTextEncoder(encoder, mlContext, maxTokens);
        if (head.VocabularySize != textEncoder.VocabularySize)
        {
            textEncoder.Dispose();
            throw new ArgumentException($"The head scores {head.VocabularySize} word pieces; encoder {encoder.Name} has a vocabulary of {textEncoder.VocabularySize}.", nameof(head));
        }
        Head = head;
        _encoder = textEncoder;
    }

    /// <summary>Loads the encoder folder <paramref name="directory"/> and the head file inside it.</summary>
    /// <exception cref="FileNotFoundException">The folder has no <see cref="MaskedLanguageModelHead.FileName"/>.</exception>
    public static MaskedWordPredictor Load(string directory, MLContext? mlContext = null, int? maxTokens = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string headPath = Path.Combine(directory, MaskedLanguageModelHead.FileName);
        if (!File.Exists(headPath))
            throw new FileNotFoundException($"'{directory}' holds no masked-language-model head ({MaskedLanguageModelHead.FileName}); train one with 'mlnetext train mlm'.", headPath);
        EncoderModel encoder = EncoderModel.Load(directory);
        return new MaskedWordPredictor(encoder, LoadHead(headPath, encoder), mlContext, maxTokens);
    }

    /// <summary>Reads a head file whose output matrix is tied to <paramref name="encoder"/>'s word embeddings.</summary>
    public static MaskedLanguageModelHead LoadHead(string path, EncoderModel encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        BertWeights weights = OnnxBertReader.Read(new MemoryStream(encoder.ReadOnnxBytes()), encoder.OnnxPath);
        return MaskedLanguageModelHead.Load(path, encoder.Config.HiddenSize, weights.Weights["embeddings.word_embeddings.weight"].Data, weights.Config.LayerNormEps);
    }

    /// <summary>The encoder.</summary>
    public EncoderModel Encoder => _encoder.Encoder;

    /// <summary>The head.</summary>
    public MaskedLanguageModelHead Head { get; }

    /// <summary>The tokenizer (the encoder's, at the predictor's token limit).</summary>
    public EncoderTokenizer Tokenizer => _encoder.Tokenizer;

    /// <summary>
    /// The <paramref name="topK"/> most likely whole words for each masked word of each text (probabilities renormalised
    /// over the allowed candidates); per text, a dictionary from word index to candidates, best first.
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<int, WordCandidate[]>> Predict(IReadOnlyList<MaskedText> texts, int topK = 5, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        MaskedStates states = _encoder.EncodeMasked(texts, cancellationToken);
        var result = texts.Select(_ => new Dictionary<int, WordCandidate[]>()).ToArray();
        var logits = new float[Head.VocabularySize];
        for (int row = 0; row < states.Count; row++)
        {
            Head.Logits(states.State(row), logits);
            result[states.Text[row]][states.Word[row]] = Top(logits, topK);
        }
        return result;
    }

    /// <summary>
    /// Replacement words for the words where each of <paramref name="keeps"/> is false: a word drawn from the top
    /// <paramref name="topK"/> candidates other than the original word (case-insensitive), in proportion to their
    /// probabilities. Per mask, an array over the words: the replacement, the original word where kept, or null (deleted)
    /// for a masked word cut by the token limit.
    /// </summary>
    public string?[][] Replace(TextInstance input, IReadOnlyList<bool[]> keeps, int topK, Random random, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(keeps);
        ArgumentNullException.ThrowIfNull(random);
        var texts = keeps.Select(keep => new MaskedText(input.Words, Enumerable.Range(0, input.Count).Select(i => i < keep.Length && !keep[i]).ToArray(), input.FirstWordCount)).ToArray();
        IReadOnlyList<IReadOnlyDictionary<int, WordCandidate[]>> predictions = Predict(texts, topK + 1, cancellationToken);
        var replaced = new string?[keeps.Count][];
        for (int k = 0; k < keeps.Count; k++)
        {
            replaced[k] = new string?[input.Count];
            for (int i = 0; i < input.Count; i++)
            {
                if (!texts[k].IsMasked(i))
                    replaced[k][i] = input.Words[i];
                else if (predictions[k].TryGetValue(i, out WordCandidate[]? candidates))
                    replaced[k][i] = Draw(candidates.Where(c => !string.Equals(c.Word, input.Words[i], StringComparison.OrdinalIgnoreCase)).Take(topK).ToArray(), random);
            }
        }
        return replaced;
    }

    /// <inheritdoc/>
    public void Dispose() => _encoder.Dispose();

    private WordCandidate[] Top(float[] logits, int topK)
    {
        float max = float.NegativeInfinity;
        for (int id = 0; id < logits.Length; id++)
            if (_encoder.IsCandidate(id) && logits[id] > max)
                max = logits[id];
        double sum = 0;
        for (int id = 0; id < logits.Length; id++)
            if (_encoder.IsCandidate(id))
                sum += Math.Exp(logits[id] - max);
        var best = new PriorityQueue<int, float>();
        for (int id = 0; id < logits.Length; id++)
        {
            if (!_encoder.IsCandidate(id))
                continue;
            if (best.Count < topK)
                best.Enqueue(id, logits[id]);
            else if (best.TryPeek(out _, out float lowest) && logits[id] > lowest)
                best.EnqueueDequeue(id, logits[id]);
        }
        var top = new WordCandidate[best.Count];
        for (int i = top.Length - 1; i >= 0; i--)
        {
            int id = best.Dequeue();
            top[i] = new WordCandidate(Tokenizer.Piece(id), (float)(Math.Exp(logits[id] - max) / sum));
        }
        return top;
    }

    private static string? Draw(WordCandidate[] candidates, Random random)
    {
        if (candidates.Length == 0)
            return null;
        double total = candidates.Sum(c => (double)c.Probability);
        double u = random.NextDouble() * total;
        foreach (WordCandidate candidate in candidates)
        {
            u -= candidate.Probability;
            if (u <= 0)
                return candidate.Word;
        }
        return candidates[^1].Word;
    }
}
