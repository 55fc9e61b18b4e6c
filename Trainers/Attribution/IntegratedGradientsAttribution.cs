using System.Diagnostics;
using Google.Protobuf;
using MLNetExt.Trainers.FineTuning;
using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Attribution;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Attribution;

/// <summary>
/// Integrated gradients (Sundararajan et al., 2017) and gradient x input for a fine-tuned encoder classifier, on the
/// word-embedding layer: the served ONNX graph's weights are read into TorchSharp, the explained probability (softmax
/// of the logits; the raw value for regression) is differentiated with respect to the word-piece embeddings along the
/// straight path from the baseline (every word piece replaced by <c>[PAD]</c>, or <c>[UNK]</c>, between the kept
/// <c>[CLS]</c>/<c>[SEP]</c>), and word-piece scores are summed into the words of <see cref="TextInstance"/>.
/// </summary>
/// <remarks>
/// The integral uses the midpoint rule with <see cref="IntegratedGradientsOptions.Steps"/> points, so
/// <see cref="TextAttribution.CompletenessGap"/> (|sum of scores - (f(input) - f(baseline))|) shrinks as steps grow.
/// Word pieces cut by the model's token limit score 0. Holds TorchSharp modules: dispose it when done.
/// </remarks>
public sealed class IntegratedGradientsAttribution : ITextAttributionMethod, IDisposable
{
    /// <summary>The name of integrated gradients.</summary>
    public const string MethodName = "integrated-gradients";

    /// <summary>The name of gradient x input.</summary>
    public const string GradientTimesInputName = "gradient-x-input";

    private readonly BertModel _encoder;
    private readonly Tensor _headWeight;
    private readonly Tensor _headBias;
    private readonly EncoderPooling _pooling;
    private readonly EncoderTokenizer _tokenizer;
    private readonly FineTuningKind _kind;
    private readonly IntegratedGradientsOptions _options;

    internal IntegratedGradientsAttribution(EncoderFineTuningTransformer model, IntegratedGradientsOptions options)
    {
        if (model.Kind == FineTuningKind.TokenClassification)
            throw new ArgumentException("Integrated gradients explains a sentence classifier or regressor; this model tags words.", nameof(model));
        byte[] onnx = [];
        model.WriteEntries((name, bytes, _) =>
        {
            if (name.EndsWith(".onnx", StringComparison.Ordinal))
                onnx = bytes;
        });
        ModelProto graph = ModelProto.Parser.ParseFrom(onnx);
        BertWeights weights = OnnxBertReader.Read(new MemoryStream(onnx), "fine-tuned model");
        _encoder = weights.CreateModel();
        (_headWeight, _headBias, _pooling) = ReadHead(graph, weights.Config.HiddenSize);
        // The served model's own tokenizer, so the pieces differentiated are the pieces the model scores.
        _tokenizer = model.Serving.Tokenizer;
        _kind = model.Kind;
        _options = options;
        _encoder.eval();
    }

    private IntegratedGradientsAttribution(IntegratedGradientsAttribution source, BertModel encoder, Tensor weight, Tensor bias)
    {
        _encoder = encoder;
        _headWeight = weight;
        _headBias = bias;
        _pooling = source._pooling;
        _tokenizer = source._tokenizer;
        _kind = source._kind;
        _options = source._options;
        _encoder.eval();
    }

    /// <inheritdoc/>
    public string Name => _options.MethodName;

    /// <summary>
    /// The same method over a copy of the model whose weights (encoder and head) are freshly random: the model-randomisation
    /// sanity check compares its attributions with the trained model's.
    /// </summary>
    public IntegratedGradientsAttribution WithRandomizedWeights(int seed)
    {
        torch.manual_seed(seed);
        var encoder = new BertModel(_encoder.Config);
        using var noGrad = no_grad();
        Tensor weight = randn_like(_headWeight) * 0.02f;
        Tensor bias = zeros_like(_headBias);
        return new IntegratedGradientsAttribution(this, encoder, weight, bias);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="baseline"/> is a sampled-word baseline (gradients need a fixed reference input).</exception>
    public TextAttribution Attribute(TextInstance input, WordBaseline baseline, AttributionTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(target);
        if (baseline.Kind == WordBaselineKind.SampledWord)
            throw new ArgumentException($"{Name} needs a fixed baseline: Remove ([PAD] embeddings) or UnknownToken ([UNK] embeddings), not sampled words.", nameof(baseline));
        cancellationToken.ThrowIfCancellationRequested();
        var clock = Stopwatch.StartNew();
        (long[] ids, long[] types, int[] wordOf) = Tokenize(input);
        long reference = baseline.Kind == WordBaselineKind.Remove ? _tokenizer.PaddingTokenId : _tokenizer.UnknownTokenId;
        long[] baselineIds = ids.Select((id, i) => wordOf[i] >= 0 ? reference : id).ToArray();
        int length = ids.Length;

        using var scope = NewDisposeScope();
        Tensor idTensor = tensor(ids).reshape(1, length);
        Tensor typeTensor = tensor(types).reshape(1, length);
        Tensor mask = ones(1, length, ScalarType.Int64);
        Tensor x, xBaseline;
        using (no_grad())
        {
            x = _encoder.Embeddings.WordEmbeddings(idTensor).detach();
            xBaseline = _encoder.Embeddings.WordEmbeddings(tensor(baselineIds).reshape(1, length)).detach();
        }
        float[] original = Outputs(x, mask, typeTensor);
        int targetIndex = target.Resolve(original);
        float fBaseline = Outputs(xBaseline, mask, typeTensor)[targetIndex];
        long calls = 2;

        Tensor difference = x - xBaseline;
        Tensor gradientSum = zeros_like(x);
        double[] alphas = _options.GradientTimesInput ? [1.0] : Enumerable.Range(0, _options.Steps).Select(k => (k + 0.5) / _options.Steps).ToArray();
        for (int start = 0; start < alphas.Length; start += _options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(_options.BatchSize, alphas.Length - start);
            using var step = NewDisposeScope();
            Tensor alpha = tensor(alphas.Skip(start).Take(count).Select(a => (float)a).ToArray()).reshape(count, 1, 1);
            Tensor points = (xBaseline + alpha * difference).detach().requires_grad_(true);
            Tensor value = Target(points, mask.expand(count, length), typeTensor.expand(count, length), targetIndex).sum();
            IList<Tensor> gradients = autograd.grad([value], [points]);
            gradientSum.add_(gradients[0].sum(0, keepdim: true).detach());
            calls += count;
        }
        Tensor tokenScores = _options.GradientTimesInput
            ? (x * gradientSum).sum(-1).reshape(length)
            : (difference * gradientSum / alphas.Length).sum(-1).reshape(length);
        float[] perToken = tokenScores.data<float>().ToArray();

        var scores = new float[input.Count];
        for (int i = 0; i < length; i++)
        {
            if (wordOf[i] >= 0)
                scores[wordOf[i]] += perToken[i];
        }
        double? gap = _options.GradientTimesInput ? null : Math.Abs(perToken.Sum() - (original[targetIndex] - fBaseline));
        return new TextAttribution(Name, input.Words, scores, input.FirstWordCount, targetIndex, original[targetIndex], calls, clock.Elapsed.TotalSeconds)
        {
            CompletenessGap = gap,
        };
    }

    /// <summary>Ids, segment ids and the word of each position (-1 for [CLS]/[SEP]), cut as the served model cuts.</summary>
    private (long[] Ids, long[] Types, int[] WordOf) Tokenize(TextInstance input)
    {
        bool pair = input.SecondText is not null;
        WordPieceTokens row = _tokenizer.TokenizeWords(input.Words[..input.FirstWordCount], pair ? input.Words[input.FirstWordCount..] : null);
        int[] ids = row.Tokens.Ids;
        long[] types = ids.Select((_, i) => i < row.Tokens.FirstSegmentLength ? 0L : 1L).ToArray();
        return (ids.Select(id => (long)id).ToArray(), types, row.WordOfToken);
    }

    private float[] Outputs(Tensor embeddings, Tensor mask, Tensor types)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor logits = Logits(embeddings, mask, types);
        Tensor outputs = _kind == FineTuningKind.Classification ? logits.softmax(-1) : logits;
        return outputs.reshape(-1).data<float>().ToArray();
    }

    private Tensor Target(Tensor embeddings, Tensor mask, Tensor types, int targetIndex)
    {
        Tensor logits = Logits(embeddings, mask, types);
        Tensor outputs = _kind == FineTuningKind.Classification ? logits.softmax(-1) : logits;
        return outputs.select(1, targetIndex);
    }

    private Tensor Logits(Tensor embeddings, Tensor mask, Tensor types)
    {
        Tensor hidden = _encoder.ForwardFromWordEmbeddings(embeddings, mask, types);
        Tensor pooled = Pooling.Pool(hidden, mask, _pooling);
        return pooled.matmul(_headWeight.t()) + _headBias;
    }

    /// <summary>The linear head (<see cref="FineTunedClassifierGraph.ReadHead"/>) as tensors, and the pooling feeding it.</summary>
    private static (Tensor Weight, Tensor Bias, EncoderPooling Pooling) ReadHead(ModelProto graph, int hidden)
    {
        OnnxLinearHead head;
        try
        {
            head = FineTunedClassifierGraph.ReadHead(graph, hidden, "The fine-tuned model");
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        return (tensor(head.Weight, [head.Bias.Length, hidden]), tensor(head.Bias, [head.Bias.Length]), head.Pooling ?? EncoderPooling.Mean);
    }

    /// <summary>Releases the TorchSharp modules and tensors.</summary>
    public void Dispose()
    {
        _encoder.Dispose();
        _headWeight.Dispose();
        _headBias.Dispose();
    }
}
