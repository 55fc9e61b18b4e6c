using MLNetExt.Trainers.Training;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms.TokenPruning;

namespace MLNetExt.Trainers.FineTuning;

// Token pruning as an inference-time option: one fine-tuned model, many speed settings.
public sealed partial class EncoderFineTuningTransformer
{
    private TokenKeepSchedule? _tokenKeep;
    private bool _tokenKeepRead;

    /// <summary>
    /// The keep schedule the served graph applies (see <see cref="TokenKeepSchedule"/>); null when the graph does not
    /// prune tokens. Set by <see cref="WithTokenKeep(TokenKeepSchedule)"/> and by <c>PruneTokens</c>' fine-tuning.
    /// </summary>
    public TokenKeepSchedule? TokenKeep
    {
        get
        {
            if (!_tokenKeepRead)
                (_tokenKeep, _tokenKeepRead) = (OnnxTokenKeep.Read(_onnx), true);
            return _tokenKeep;
        }
    }

    /// <summary>
    /// The same model served with token pruning at <paramref name="schedule"/> (a new transformer; this one is
    /// unchanged and still needs disposing). A graph that already prunes after the same layers only has its fractions
    /// replaced; otherwise the graph is rebuilt from the same weights with ranking and cutting nodes after exactly the
    /// layers the schedule cuts after (the other layers run ONNX Runtime's fused kernels, as unpruned). Any sentence
    /// classifier or regressor takes a schedule, but loses accuracy unless it was fine-tuned with pruning (<c>PruneTokens</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The schedule is for another layer count.</exception>
    /// <exception cref="InvalidOperationException">The model is a token classifier (every token is an output, none can be pruned).</exception>
    public EncoderFineTuningTransformer WithTokenKeep(TokenKeepSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (Kind == FineTuningKind.TokenClassification)
            throw new InvalidOperationException("Token pruning needs a sentence-level head; this model tags every token, so none can be pruned.");
        byte[] onnx = OnnxTokenKeep.CanRewrite(_onnx, schedule) ? OnnxTokenKeep.Rewrite(_onnx, schedule) : TokenPrunedGraph(schedule);
        return new EncoderFineTuningTransformer(_environment, _info, onnx, _vocabulary, TrainingResult);
    }

    /// <summary>
    /// <see cref="WithTokenKeep(TokenKeepSchedule)"/> from text: one fraction per layer (<c>1,0.9,0.8,0.7,0.6,0.5</c>) or
    /// one rate (<c>0.8</c>: layer l keeps 0.8^l of the tokens).
    /// </summary>
    /// <exception cref="ArgumentException">The text is not a schedule for this model's layer count; the message names the bad value.</exception>
    public EncoderFineTuningTransformer WithTokenKeep(string schedule) => WithTokenKeep(TokenKeepSchedule.Parse(schedule, LayerCount));

    /// <summary>Number of transformer layers of the served encoder.</summary>
    public int LayerCount => TokenKeep?.LayerCount ?? EncoderConfig.LayerCount;

    /// <summary>
    /// The speed-up <paramref name="schedule"/> should give on these sentences, from the FLOPs of the encoder's layers
    /// at the token counts this model's tokenizer gives them, before anything runs (<see cref="TokenPruningEstimate"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The schedule is for another layer count, or there are no sentences.</exception>
    public TokenPruningEstimate EstimateTokenPruning(TokenKeepSchedule schedule, IReadOnlyList<string> sentences, IReadOnlyList<string>? secondSentences = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(sentences);
        int[] lengths = sentences.Select((s, i) => Serving.Tokenizer.Tokenize(s, secondSentences?[i]).Length).ToArray();
        return TokenPruningEstimate.Estimate(EncoderConfig, schedule, lengths);
    }

    private BertConfig EncoderConfig => _encoderConfig ??= ReadWeights().Config;

    private BertConfig? _encoderConfig;

    private BertWeights ReadWeights() => OnnxBertReader.Read(new MemoryStream(_onnx, writable: false), Source);

    internal string Source => _info.EncoderName is { } name ? $"fine-tuned {name}" : "fine-tuned model";

    private byte[] TokenPrunedGraph(TokenKeepSchedule schedule)
    {
        (BertWeights weights, OnnxLinearHead head) = FineTunedClassifierGraph.Read(this, Source);
        return OnnxBertWriter.ToTokenPrunedBytes(weights, schedule, head, OnnxGraphStyle.OnnxRuntimeFused);
    }

    /// <summary>A transformer around another graph of this model (same settings and vocabulary).</summary>
    internal EncoderFineTuningTransformer WithGraph(byte[] onnx, TrainingResult? training) => new(_environment, _info, onnx, _vocabulary, training);
}
