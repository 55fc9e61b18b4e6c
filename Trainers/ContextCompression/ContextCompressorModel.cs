using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.ContextCompression;

/// <summary>
/// An ARC-style context compressor as TorchSharp modules: a BERT-family encoder without its last layer (<c>bert</c>),
/// that last layer with pooled queries (<see cref="PooledQueryAttentionLayer"/>, <c>layer</c>) and an MLP projector
/// (<see cref="ContextProjector"/>, <c>projector</c>). <see cref="forward"/> returns the unnormalised compressed vectors;
/// <see cref="Export"/> writes what <see cref="LearnedContextCompressor"/> serves on ONNX Runtime.
/// </summary>
public sealed class ContextCompressorModel : nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly BertModel bert;
    private readonly PooledQueryAttentionLayer layer;
    private readonly ContextProjector projector;
#pragma warning restore IDE1006

    private ContextCompressorModel(BertModel encoder, PooledQueryAttentionLayer pooledLayer, ContextProjector projection, int heads, int dimension)
        : base(nameof(ContextCompressorModel))
    {
        bert = encoder;
        layer = pooledLayer;
        projector = projection;
        Heads = heads;
        Dimension = dimension;
        RegisterComponents();
    }

    /// <summary>The encoder below the pooled layer.</summary>
    public BertModel Encoder => bert;

    /// <summary>Attention heads of the pooled layer.</summary>
    public int Heads { get; }

    /// <summary>Floats per compressed vector.</summary>
    public int Dimension { get; }

    /// <summary>
    /// Starts a compressor from a pretrained encoder: its layers but the last stay an encoder, its last layer becomes the
    /// pooled layer (same weights), and a fresh projector to <paramref name="dimension"/> floats (null: the hidden size,
    /// where the untrained projector is the identity) through <paramref name="projectorInnerSize"/> is added.
    /// </summary>
    /// <exception cref="ArgumentException">The encoder has fewer than two layers.</exception>
    public static ContextCompressorModel FromEncoder(BertWeights weights, int? dimension = null, int projectorInnerSize = 1536)
    {
        ArgumentNullException.ThrowIfNull(weights);
        BertConfig config = weights.Config;
        int layers = config.LayerCount;
        if (layers < 2)
            throw new ArgumentException($"A context compressor turns the encoder's last layer into its pooled layer and keeps the others; the encoder has {layers} layer, it needs at least 2.", nameof(weights));
        int width = dimension ?? config.HiddenSize;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width, nameof(dimension));
        BertModel encoder = weights.KeepLayers(Enumerable.Range(0, layers - 1).ToArray()).CreateModel();
        int heads = config.HeadsPerLayer[layers - 1];
        var pooled = new PooledQueryAttentionLayer(config, heads);
        string last = $"encoder.layer.{layers - 1}.";
        new BertWeights(config, weights.Weights.Where(w => w.Key.StartsWith(last, StringComparison.Ordinal))
            .ToDictionary(w => w.Key[last.Length..], w => w.Value, StringComparer.Ordinal)).LoadInto(pooled);
        return new ContextCompressorModel(encoder, pooled, new ContextProjector(config.HiddenSize, projectorInnerSize, width), heads, width);
    }

    /// <summary>
    /// Compressed vectors [batch, vectors, <see cref="Dimension"/>] of a batch of encoder inputs (int64 [batch, seq])
    /// and its pooling matrices <paramref name="pooling"/> [batch, vectors, seq] (see <see cref="ContextCompressorBatch"/>).
    /// </summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds, Tensor pooling)
    {
        using var scope = NewDisposeScope();
        Tensor hidden = bert.forward(inputIds, attentionMask, tokenTypeIds);
        Tensor additive = (1.0f - attentionMask.to_type(ScalarType.Float32)).mul(BertConfig.MaskedAttentionScore).unsqueeze(1).unsqueeze(1);
        return projector.forward(layer.forward(hidden, pooling, additive)).MoveToOuterDisposeScope();
    }

    /// <summary>The weights of the pooled layer and projector as the ONNX compressor graph.</summary>
    public byte[] CompressorGraph()
    {
        Dictionary<string, (float[] Data, long[] Shape)> parameters = named_parameters()
            .Where(p => !p.name.StartsWith("bert.", StringComparison.Ordinal))
            .ToDictionary(p => p.name, p => (p.parameter.detach().cpu().contiguous().data<float>().ToArray(), p.parameter.shape), StringComparer.Ordinal);
        BertConfig config = bert.Config;
        return OnnxContextCompressorWriter.ToBytes(parameters, config.HiddenSize, Heads, config.HeadSize, config.LayerNormEps);
    }

    /// <summary>
    /// The trained compressor for serving: the encoder part as a fused ONNX graph under <paramref name="baseModel"/>'s
    /// vocabulary and settings (its layer count one lower), and the compressor graph.
    /// </summary>
    /// <param name="baseModel">The encoder training started from (vocabulary, prefixes, max tokens).</param>
    /// <param name="trainedRatio">The ratio trained at, recorded in compressor.json.</param>
    /// <param name="label">How the graph is described in messages, e.g. "context compressor x4".</param>
    public LearnedContextCompressor Export(EncoderModel baseModel, int? trainedRatio, string label)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        byte[] graph = OnnxBertWriter.ToBytes(bert.ToWeights(), style: OnnxGraphStyle.OnnxRuntimeFused);
        EncoderModel encoder = baseModel.WithGraph(graph, label).WithConfig(baseModel.Config with { Layers = bert.Config.LayerCount });
        return LearnedContextCompressor.Create(encoder, CompressorGraph(), trainedRatio, label);
    }
}
