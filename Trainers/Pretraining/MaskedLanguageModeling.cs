using System.Diagnostics;
using Microsoft.ML;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Attribution;
using MLNetExt.Transforms.Onnx;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Pretraining;

/// <summary>
/// The first pretraining objective: a masked-language-model head trained over a frozen encoder, so that masked words
/// can be predicted from their context (ReAGent's replacements; <see cref="MaskedWordPredictor"/>). The encoder stays
/// as it is: its states at the masked words are computed once on ONNX Runtime, and only the head (dense, LayerNorm,
/// output bias; output matrix tied to the frozen word embeddings) trains, on the shared loop.
/// </summary>
/// <remarks>
/// Masking works on words as <see cref="TextInstance"/> splits them, as attribution does: in each text
/// <see cref="MaskedLanguageModelingOptions.MaskFraction"/> of the words (at least one) are chosen among those that are
/// one whole-word piece, and each becomes one <c>[MASK]</c>; the target is that piece. Always <c>[MASK]</c> (no
/// 80/10/10 mix): at prediction time the input has the same form. A further objective (ELECTRA's replaced-token
/// detection, span corruption) sits beside this class and reuses <see cref="MaskedTextEncoder"/>.
/// </remarks>
public static class MaskedLanguageModeling
{
    /// <summary>Trains a head for <paramref name="encoder"/> on <paramref name="trainingTexts"/> and measures it on <paramref name="heldOutTexts"/>.</summary>
    /// <exception cref="ArgumentException">No training text, or no word of it can be masked.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static MaskedLanguageModelingResult Train(EncoderModel encoder, IReadOnlyList<string> trainingTexts, IReadOnlyList<string> heldOutTexts,
        MaskedLanguageModelingOptions? options = null, MLContext? mlContext = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(trainingTexts);
        ArgumentNullException.ThrowIfNull(heldOutTexts);
        options ??= new MaskedLanguageModelingOptions();
        options.Validate();
        if (trainingTexts.Count == 0)
            throw new ArgumentException("Masked-language-model training needs at least one training text.", nameof(trainingTexts));

        var clock = Stopwatch.StartNew();
        int seed = options.Training.Seed;
        MaskedWords training, heldOut;
        using (var textEncoder = new MaskedTextEncoder(encoder, mlContext, options.MaxTokens))
        {
            training = Mask(textEncoder, trainingTexts, options.MaskFraction, seed, cancellationToken);
            heldOut = Mask(textEncoder, heldOutTexts, options.MaskFraction, seed + 1, cancellationToken);
        }
        if (training.Count == 0)
            throw new ArgumentException("No word of the training texts can be masked (none is a single whole-word piece of the vocabulary).", nameof(trainingTexts));
        double encodingSeconds = clock.Elapsed.TotalSeconds;

        BertWeights weights = OnnxBertReader.Read(new MemoryStream(encoder.ReadOnnxBytes()), encoder.OnnxPath);
        double epsilon = weights.Config.LayerNormEps;
        manual_seed(seed);
        using var head = new MaskedLanguageModelHeadModule(encoder.Config.HiddenSize, weights.Weights["embeddings.word_embeddings.weight"].Data, epsilon);
        var task = new MaskedLanguageModelTask(head, training, heldOut);
        TrainingResult result = new TrainingLoop(options.Training).Run(task, options.Progress, cancellationToken);
        (double top1, double top5) = task.Accuracy(heldOut, cancellationToken);

        int mostFrequent = training.Targets.GroupBy(t => t).MaxBy(g => g.Count())!.Key;
        double frequencyTop1 = heldOut.Count == 0 ? double.NaN : heldOut.Targets.Count(t => t == mostFrequent) / (double)heldOut.Count;
        return new MaskedLanguageModelingResult(encoder, head.ToHead(epsilon), training.Count, heldOut.Count, top1, top5, frequencyTop1, encodingSeconds, result);
    }

    /// <summary>Chooses the masked words of each text (seeded), encodes the masked texts and pairs each state with its target piece.</summary>
    internal static MaskedWords Mask(MaskedTextEncoder encoder, IReadOnlyList<string> texts, double fraction, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var masked = new List<MaskedText>(texts.Count);
        var targets = new List<Dictionary<int, int>>(texts.Count);
        foreach (string text in texts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string[] words = TextInstance.Create(text).Words;
            if (words.Length == 0)
                continue;
            WordPieceTokens row = encoder.Tokenizer.TokenizeWords(words);
            var pieces = new int[words.Length];
            var firstPiece = new int[words.Length];
            for (int t = 0; t < row.WordOfToken.Length; t++)
            {
                int word = row.WordOfToken[t];
                if (word < 0)
                    continue;
                if (pieces[word]++ == 0)
                    firstPiece[word] = row.Tokens.Ids[t];
            }
            int[] eligible = Enumerable.Range(0, words.Length).Where(w => pieces[w] == 1 && encoder.IsCandidate(firstPiece[w])).ToArray();
            if (eligible.Length == 0)
                continue;
            int count = Math.Min(eligible.Length, Math.Max(1, (int)Math.Round(fraction * words.Length)));
            random.Shuffle(eligible);
            var mask = new bool[words.Length];
            var target = new Dictionary<int, int>(count);
            foreach (int w in eligible.Take(count))
            {
                mask[w] = true;
                target[w] = firstPiece[w];
            }
            masked.Add(new MaskedText(words, mask));
            targets.Add(target);
        }
        MaskedStates states = encoder.EncodeMasked(masked, cancellationToken);
        var targetIds = new int[states.Count];
        for (int r = 0; r < states.Count; r++)
            targetIds[r] = targets[states.Text[r]][states.Word[r]];
        return new MaskedWords(states.States, targetIds, states.Hidden);
    }
}
