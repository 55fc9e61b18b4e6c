using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.ContextCompression;

/// <summary>
/// Multi-head attention whose queries come from pooled states (one per output vector) and whose keys and values come
/// from every token: the attention of ARC-Encoder's pooling layers.
/// </summary>
public sealed class PooledSelfAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
#pragma warning restore IDE1006
    private readonly int _heads;
    private readonly int _headSize;
    private readonly double _attentionDropout;

    /// <summary>Creates the projections for <paramref name="heads"/> heads of <paramref name="headSize"/> each.</summary>
    public PooledSelfAttention(int hiddenSize, int heads, int headSize, double attentionDropout) : base(nameof(PooledSelfAttention))
    {
        _heads = heads;
        _headSize = headSize;
        _attentionDropout = attentionDropout;
        query = nn.Linear(hiddenSize, heads * headSize);
        key = nn.Linear(hiddenSize, heads * headSize);
        value = nn.Linear(hiddenSize, heads * headSize);
        RegisterComponents();
    }

    /// <summary>
    /// Attends from <paramref name="pooled"/> [batch, vectors, hidden] over <paramref name="hidden"/> [batch, seq, hidden]
    /// with an additive mask [batch, 1, 1, seq]; returns the concatenated heads [batch, vectors, heads*headSize].
    /// </summary>
    public override Tensor forward(Tensor pooled, Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0];
        Tensor Split(Linear projection, Tensor x) => projection.forward(x).view(batch, x.shape[1], _heads, _headSize).transpose(1, 2);
        Tensor context = nn.functional.scaled_dot_product_attention(
            Split(query, pooled), Split(key, hidden), Split(value, hidden), additiveMask, training ? _attentionDropout : 0.0, false);
        return context.transpose(1, 2).reshape(batch, pooled.shape[1], _heads * _headSize).MoveToOuterDisposeScope();
    }
}

/// <summary>The pooled attention followed by its output block (the counterpart of Hugging Face's <c>BertAttention</c>).</summary>
public sealed class PooledAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly PooledSelfAttention self;
    private readonly BertResidualOutput output;
#pragma warning restore IDE1006

    /// <summary>Creates the block with <paramref name="heads"/> heads.</summary>
    public PooledAttention(BertConfig config, int heads) : base(nameof(PooledAttention))
    {
        self = new PooledSelfAttention(config.HiddenSize, heads, config.HeadSize, config.AttentionDropout);
        output = new BertResidualOutput(heads * config.HeadSize, config.HiddenSize, config.LayerNormEps, config.HiddenDropout);
        RegisterComponents();
    }

    /// <summary>LayerNorm(dense(attention) + <paramref name="pooled"/>): the residual is the pooled state.</summary>
    public override Tensor forward(Tensor pooled, Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        return output.forward(self.forward(pooled, hidden, additiveMask), pooled).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A BERT layer with pooled queries (ARC-Encoder, Pilchen et al. 2025): the hidden states are averaged over each group
/// of consecutive tokens (<c>pooling</c> [batch, vectors, seq], rows summing to 1), the averages attend over all tokens,
/// and the feed-forward block follows (<see cref="BertFeedForward"/>, as in <see cref="BertLayer"/>). Its parameters are named as a <see cref="BertLayer"/>'s,
/// so it starts from the encoder's own last layer; with one token per group it computes exactly that layer.
/// </summary>
public sealed class PooledQueryAttentionLayer : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly PooledAttention attention;
#pragma warning restore IDE1006
    private readonly BertFeedForward _feedForward;

    /// <summary>Creates a layer with <paramref name="heads"/> attention heads.</summary>
    public PooledQueryAttentionLayer(BertConfig config, int heads) : base(nameof(PooledQueryAttentionLayer))
    {
        attention = new PooledAttention(config, heads);
        _feedForward = new BertFeedForward(config);
        RegisterComponents();
        _feedForward.RegisterIn(this);
    }

    /// <summary>[batch, vectors, hidden] from <paramref name="hidden"/> [batch, seq, hidden], <paramref name="pooling"/> and the additive mask.</summary>
    public override Tensor forward(Tensor hidden, Tensor pooling, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        Tensor pooled = matmul(pooling, hidden);
        return _feedForward.Forward(attention.forward(pooled, hidden, additiveMask)).MoveToOuterDisposeScope();
    }
}
