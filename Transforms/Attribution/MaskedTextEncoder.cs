using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Runtime;
using MLNetExt.Transforms.Onnx;

namespace MLNetExt.Transforms.Attribution;

/// <summary>
/// Runs an encoder on ONNX Runtime over texts whose masked words are each replaced by one <c>[MASK]</c> token, and
/// returns the last hidden state at those tokens: what a masked-language-model head reads, at training
/// (<c>MaskedLanguageModeling</c> in MLNetExt.Trainers) and at prediction (<see cref="MaskedWordPredictor"/>).
/// Thread-safe: each call uses its own buffers on the shared session.
/// </summary>
public sealed class MaskedTextEncoder : IDisposable
{
    private const int BatchRows = 32;
    private readonly EncoderSession _session;
    private readonly bool[] _candidate;

    /// <summary>Opens <paramref name="encoder"/>'s (fused) graph; texts are cut at <paramref name="maxTokens"/> word pieces (the model's limit when null).</summary>
    public MaskedTextEncoder(EncoderModel encoder, MLContext? mlContext = null, int? maxTokens = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        Encoder = encoder;
        Tokenizer = EncoderTokenizer.Create(encoder, maxTokens);
        // The vocabulary file may end with a newline (an empty last piece); the model's own size decides when it has one.
        _candidate = new bool[encoder.Config.VocabSize > 0 ? encoder.Config.VocabSize : Tokenizer.PieceCount];
        for (int id = 0; id < _candidate.Length; id++)
            _candidate[id] = IsWholeWord(Tokenizer.Piece(id));
        IHostEnvironment environment = mlContext ?? new MLContext(0);
        IHost host = environment.Register(nameof(MaskedTextEncoder));
        using IChannel channel = host.Start(nameof(MaskedTextEncoder));
        (EncoderModel graph, _) = FusedGraphCache.Get(encoder, channel);
        _session = EncoderSession.Open(graph,
            new EncoderRuntimeSettings(nameof(MaskedTextEncoder), nameof(MaskedTextEncoder), EncoderExecutionProvider.Auto, null, GraphOptimizationLevel.ORT_ENABLE_ALL),
            environment, channel);
    }

    /// <summary>The encoder.</summary>
    public EncoderModel Encoder { get; }

    /// <summary>The tokenizer (the encoder's, at this encoder's token limit).</summary>
    public EncoderTokenizer Tokenizer { get; }

    /// <summary>
    /// Whether word piece <paramref name="id"/> is a whole word a masked word can be predicted as: no <c>##</c>
    /// continuation, no bracketed special or unused token, at least one letter or digit.
    /// </summary>
    public bool IsCandidate(int id) => (uint)id < (uint)_candidate.Length && _candidate[id];

    /// <summary>Word pieces in the encoder's vocabulary.</summary>
    public int VocabularySize => _candidate.Length;

    /// <summary>The encoder's last hidden state at every masked word of <paramref name="texts"/> (words cut by the token limit are left out).</summary>
    public MaskedStates EncodeMasked(IReadOnlyList<MaskedText> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        int hidden = _session.Hidden;
        var states = new List<float>();
        var textIndex = new List<int>();
        var wordIndex = new List<int>();
        using var batch = new BatchEncoder(_session);
        for (int start = 0; start < texts.Count; start += BatchRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(BatchRows, texts.Count - start);
            var rows = new WordPieceTokens[count];
            for (int r = 0; r < count; r++)
            {
                MaskedText text = texts[start + r];
                IReadOnlyList<string> words = text.Words;
                IReadOnlyList<string>? pair = text.FirstWordCount < words.Count ? words.Skip(text.FirstWordCount).ToArray() : null;
                rows[r] = Tokenizer.TokenizeWords(pair is null ? words : words.Take(text.FirstWordCount).ToArray(), pair, text.IsMasked);
            }
            batch.Run(rows.Select(r => r.Tokens).ToArray());
            ReadOnlySpan<float> output = batch.HiddenStates;
            for (int r = 0; r < count; r++)
            {
                int[] ids = rows[r].Tokens.Ids;
                for (int t = 0; t < ids.Length; t++)
                {
                    int word = rows[r].WordOfToken[t];
                    if (word < 0 || ids[t] != Tokenizer.MaskTokenId || !texts[start + r].IsMasked(word))
                        continue;
                    foreach (float v in output.Slice((r * batch.Length + t) * hidden, hidden))
                        states.Add(v);
                    textIndex.Add(start + r);
                    wordIndex.Add(word);
                }
            }
        }
        return new MaskedStates([.. states], [.. textIndex], [.. wordIndex], hidden);
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();

    private static bool IsWholeWord(string piece) =>
        piece.Length > 0 && !piece.StartsWith("##", StringComparison.Ordinal)
        && !(piece.StartsWith('[') && piece.EndsWith(']'))
        && piece.Any(char.IsLetterOrDigit);
}
