using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.ContextCompression;

/// <summary>One decoder layer: causal self-attention, cross-attention over the compressed vectors, feed-forward; each with residual and LayerNorm.</summary>
public sealed class ReconstructionDecoderLayer : nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly PooledSelfAttention self;
    private readonly BertResidualOutput selfOutput;
    private readonly PooledSelfAttention cross;
    private readonly BertResidualOutput crossOutput;
#pragma warning restore IDE1006
    private readonly BertFeedForward _feedForward;

    /// <summary>Creates the layer for <paramref name="config"/> (hidden size, heads, feed-forward width, dropout).</summary>
    public ReconstructionDecoderLayer(BertConfig config) : base(nameof(ReconstructionDecoderLayer))
    {
        int heads = config.HeadsPerLayer[0], width = heads * config.HeadSize;
        self = new PooledSelfAttention(config.HiddenSize, heads, config.HeadSize, config.AttentionDropout);
        selfOutput = new BertResidualOutput(width, config.HiddenSize, config.LayerNormEps, config.HiddenDropout);
        cross = new PooledSelfAttention(config.HiddenSize, heads, config.HeadSize, config.AttentionDropout);
        crossOutput = new BertResidualOutput(width, config.HiddenSize, config.LayerNormEps, config.HiddenDropout);
        _feedForward = new BertFeedForward(config);
        RegisterComponents();
        _feedForward.RegisterIn(this);
    }

    /// <summary>[batch, seq, hidden] from the token states, the additive self mask [batch, 1, seq, seq], the memory and its additive mask [batch, 1, 1, vectors].</summary>
    public override Tensor forward(Tensor x, Tensor selfMask, Tensor memory, Tensor memoryMask)
    {
        using var scope = NewDisposeScope();
        Tensor h = selfOutput.forward(self.forward(x, x, selfMask), x);
        h = crossOutput.forward(cross.forward(h, memory, memoryMask), h);
        return _feedForward.Forward(h).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A small transformer decoder that rebuilds a text's word pieces from its compressed vectors (ARC-Encoder's
/// reconstruction pretraining, with a small trained decoder standing in for the language model): teacher-forced, each
/// position predicts the next token from the tokens before it and from every compressed vector. The vectors get
/// learned position embeddings of their own (vector k holds the k-th group of word pieces), so the decoder can find the
/// vector that holds the words it is rebuilding.
/// </summary>
public sealed class ReconstructionDecoder : nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly Embedding embeddings;
    private readonly Embedding positions;
    private readonly LayerNorm norm;
    private readonly Linear memory;
    private readonly Embedding memoryPositions;
    private readonly ModuleList<ReconstructionDecoderLayer> layers;
    private readonly Linear output;
#pragma warning restore IDE1006

    /// <summary>Creates a decoder of <paramref name="layerCount"/> layers of width <paramref name="hiddenSize"/> over vectors of <paramref name="memorySize"/> floats.</summary>
    public ReconstructionDecoder(int vocabularySize, int maxTokens, int memorySize, int hiddenSize = 256, int layerCount = 2, int heads = 4, double dropout = 0.1)
        : base(nameof(ReconstructionDecoder))
    {
        if (hiddenSize % heads != 0)
            throw new ArgumentOutOfRangeException(nameof(heads), heads, $"The decoder width {hiddenSize} must be a multiple of the head count; got {heads} heads.");
        var config = new BertConfig
        {
            VocabSize = vocabularySize, HiddenSize = hiddenSize, HeadsPerLayer = Enumerable.Repeat(heads, layerCount).ToArray(), HeadSize = hiddenSize / heads,
            IntermediateSize = 4 * hiddenSize, MaxPositionEmbeddings = maxTokens, HiddenDropout = dropout, AttentionDropout = dropout,
        };
        config.Validate();
        embeddings = nn.Embedding(vocabularySize, hiddenSize);
        positions = nn.Embedding(maxTokens, hiddenSize);
        norm = nn.LayerNorm(hiddenSize, config.LayerNormEps);
        memory = nn.Linear(memorySize, hiddenSize);
        memoryPositions = nn.Embedding(maxTokens, hiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, layerCount).Select(_ => new ReconstructionDecoderLayer(config)).ToArray());
        output = nn.Linear(hiddenSize, vocabularySize);
        RegisterComponents();
    }

    /// <summary>
    /// Next-token logits [batch, seq, vocabulary] for the input tokens <paramref name="inputIds"/> (int64 [batch, seq],
    /// mask <paramref name="attentionMask"/>) given the compressed vectors <paramref name="vectors"/> [batch, vectors, d]
    /// and their mask [batch, vectors].
    /// </summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor vectors, Tensor vectorMask)
    {
        using var scope = NewDisposeScope();
        long length = inputIds.shape[1];
        Tensor place = arange(length, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
        Tensor x = norm.forward(embeddings.forward(inputIds) + positions.forward(place));
        Tensor causal = ones(length, length, device: inputIds.device).triu(1).mul(BertConfig.MaskedAttentionScore).view(1, 1, length, length);
        Tensor padding = (1.0f - attentionMask.to_type(ScalarType.Float32)).mul(BertConfig.MaskedAttentionScore).view(-1, 1, 1, length);
        Tensor selfMask = causal + padding;
        Tensor memoryMask = (1.0f - vectorMask.to_type(ScalarType.Float32)).mul(BertConfig.MaskedAttentionScore).unsqueeze(1).unsqueeze(1);
        // Each vector's place is added, as to a prefix of the decoder's own tokens: without it cross-attention cannot tell
        // the first vector (the first words) from the last, and every position has to find its words by content alone.
        Tensor slots = arange(vectors.shape[1], dtype: ScalarType.Int64, device: vectors.device).unsqueeze(0);
        Tensor m = memory.forward(vectors) + memoryPositions.forward(slots);
        foreach (ReconstructionDecoderLayer layer in layers)
            x = layer.forward(x, selfMask, m, memoryMask);
        return output.forward(x).MoveToOuterDisposeScope();
    }
}
