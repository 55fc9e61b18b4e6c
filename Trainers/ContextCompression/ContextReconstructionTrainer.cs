using Microsoft.ML.Runtime;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using TorchSharp;

namespace MLNetExt.Trainers.ContextCompression;

/// <summary>
/// ARC-Encoder's reconstruction pretraining as a measurement: a context compressor (<see cref="ContextCompressorModel"/>,
/// from a pretrained encoder) and a small <see cref="ReconstructionDecoder"/> learn together to rebuild each text's
/// word pieces from its compressed vectors; the result is the token accuracy on held-out texts, which says how much of
/// the text the K vectors keep at a given ratio.
/// </summary>
public sealed class ContextReconstructionTrainer
{
    private readonly IHostEnvironment _host;
    private readonly ContextReconstructionOptions _options;
    private readonly EncoderModel _baseModel;

    internal ContextReconstructionTrainer(IHostEnvironment host, ContextReconstructionOptions options)
    {
        _host = host ?? throw new ArgumentNullException(nameof(host));
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _options.Validate();
        _baseModel = EncoderTraining.BaseModel(_options.Model);
    }

    /// <summary>Trains on <paramref name="texts"/> and scores the token accuracy on <paramref name="heldOut"/>.</summary>
    /// <exception cref="ArgumentException">No training or held-out text, a text is empty, or one is too long without
    /// <see cref="ContextReconstructionOptions.TruncateLongText"/>; the message names it.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public ContextReconstructionResult Train(IReadOnlyList<string> texts, IReadOnlyList<string> heldOut, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(heldOut);
        if (texts.Count == 0 || heldOut.Count == 0)
            throw new ArgumentException($"Give at least one training and one held-out text; got {texts.Count} and {heldOut.Count}.", nameof(texts));
        EncoderTokenizer tokenizer = EncoderTokenizer.Create(_baseModel, _options.MaxTokens);
        TokenizedText[] Tokenize(IReadOnlyList<string> list, string what) => list.Select((text, i) =>
        {
            TokenizedText tokens = tokenizer.Tokenize(text, null);
            if (tokens.Length <= 2)
                throw new ArgumentException($"The {what} text {i} is empty or blank (no word pieces).", nameof(texts));
            if (tokens.Truncated && !_options.TruncateLongText)
                throw new ArgumentException($"The {what} text {i} is longer than MaxTokens ({_options.MaxTokens} word pieces, [CLS] and [SEP] included); raise MaxTokens or set TruncateLongText.", nameof(texts));
            return tokens;
        }).ToArray();
        TokenizedText[] train = Tokenize(texts, "training");
        TokenizedText[] held = Tokenize(heldOut, "held-out");

        TrainingOptions loopOptions = _options.Training;
        torch.manual_seed(loopOptions.Seed);
        BertWeights weights = EncoderTraining.ReadWeights(_baseModel);
        ContextCompressorModel compressor = ContextCompressorModel.FromEncoder(weights, projectorInnerSize: 4 * weights.Config.HiddenSize);
        var decoder = new ReconstructionDecoder(weights.Config.VocabSize, _options.MaxTokens, compressor.Dimension, _options.DecoderSize,
            _options.DecoderLayers, _options.DecoderHeads, weights.Config.HiddenDropout);
        using var model = new ContextReconstructionModel(compressor, decoder, _options.ZeroVectors);
        // The baseline never runs the compressor, so none of it learns; otherwise the encoder below the pooled layer
        // learns only when asked.
        foreach (var parameter in _options.ZeroVectors ? compressor.parameters() : _options.TrainEncoder ? [] : compressor.Encoder.parameters())
            parameter.requires_grad = false;
        var task = new ContextReconstructionTask(model, train, _options.Ratio);

        TrainingResult training = EncoderTraining.Run(_host, nameof(ContextReconstructionTrainer), _options.ZeroVectors
                ? $"Reconstruction baseline (decoder given zero vectors) on {train.Length} texts."
                : $"Reconstruction training at ratio {_options.Ratio} from {_baseModel.Name} on {train.Length} texts.",
            loopOptions, task, _options.Progress, cancellationToken);
        ReconstructionAccuracy accuracy = task.TokenAccuracy(held, tokenizer.SeparatorTokenId, cancellationToken: cancellationToken);
        return new ContextReconstructionResult(_options.Ratio, _options.ZeroVectors, train.Length, held.Length, accuracy.Counted, accuracy.TokenAccuracy,
            accuracy.FirstTokenAccuracy, training);
    }
}
