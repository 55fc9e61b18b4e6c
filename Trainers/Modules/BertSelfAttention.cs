using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

/// <summary>
/// Multi-head scaled dot-product self-attention with its own head count, so that a pruned layer (fewer heads) is the
/// same module with a smaller projection (Hugging Face <c>BertSelfAttention</c>).
/// </summary>
public sealed partial class BertSelfAttention : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
#pragma warning restore IDE1006
    private readonly double _attentionDropout;

    /// <summary>Creates the projections for <paramref name="heads"/> heads of <paramref name="headSize"/> each.</summary>
    public BertSelfAttention(int hiddenSize, int heads, int headSize, double attentionDropout) : base(nameof(BertSelfAttention))
    {
        Heads = heads;
        HeadSize = headSize;
        _attentionDropout = attentionDropout;
        query = nn.Linear(hiddenSize, heads * headSize);
        key = nn.Linear(hiddenSize, heads * headSize);
        value = nn.Linear(hiddenSize, heads * headSize);
        RegisterComponents();
    }

    /// <summary>Number of heads in this layer.</summary>
    public int Heads { get; }

    /// <summary>Width of one head.</summary>
    public int HeadSize { get; }

    /// <summary>
    /// Optional weights [<see cref="Heads"/>] multiplying each head's output before the heads are concatenated (Michel et
    /// al. 2019's head mask): 0 silences a head, exactly as removing it does; a mask that requires gradients yields each
    /// head's importance. Null (the default) leaves the heads as they are. The caller owns the tensor.
    /// </summary>
    public Tensor? HeadMask
    {
        get => _headMask;
        set
        {
            if (value is not null && (value.ndim != 1 || value.shape[0] != Heads))
                throw new ArgumentException($"The head mask must have shape [{Heads}]; got [{string.Join(", ", value.shape)}].", nameof(value));
            _headMask = value;
        }
    }

    private Tensor? _headMask;

    /// <summary>
    /// Optional per-token head weights (SHRP's router): maps the layer input [batch, seq, hidden] to weights
    /// [batch, seq, <see cref="Heads"/>] multiplying each head's output for each token. Not a parameter of this module
    /// (the router's owner registers and trains it); null (the default) leaves the heads as they are.
    /// </summary>
    public Func<Tensor, Tensor>? HeadRouter { get; set; }

    /// <summary>
    /// The attention distributions of every head for <paramref name="hidden"/> [batch, seq, hidden] under
    /// <paramref name="additiveMask"/> [batch, 1, 1, seq], as log-probabilities [batch, heads, query, key]: the
    /// log-softmax over keys of the scaled query-key scores that <see cref="forward"/> attends with (head mask and
    /// router do not change them). What attention-map distillation compares; differentiable.
    /// </summary>
    public Tensor AttentionLogProbabilities(Tensor hidden, Tensor additiveMask)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(additiveMask);
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0], length = hidden.shape[1];
        Tensor q = query.forward(hidden).view(batch, length, Heads, HeadSize).transpose(1, 2);
        Tensor k = key.forward(hidden).view(batch, length, Heads, HeadSize).transpose(1, 2);
        Tensor scores = matmul(q, k.transpose(-1, -2)).div(Math.Sqrt(HeadSize)) + additiveMask;
        return nn.functional.log_softmax(scores, -1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Attends over <paramref name="hidden"/> [batch, seq, hidden] with an additive mask [batch, 1, 1, seq]
    /// (0 for real tokens, a large negative number for padding); returns the concatenated heads [batch, seq, heads*headSize].
    /// </summary>
    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0], length = hidden.shape[1];
        Tensor Split(Linear projection) =>
            projection.forward(hidden).view(batch, length, Heads, HeadSize).transpose(1, 2);
        Tensor context = nn.functional.scaled_dot_product_attention(
            Split(query), Split(key), Split(value), additiveMask, training ? _attentionDropout : 0.0, false);
        if (_headMask is not null)
            context = context * _headMask.view(1, Heads, 1, 1);
        if (HeadRouter is not null)
            context = context * HeadRouter(hidden).permute(0, 2, 1).unsqueeze(-1);
        return context.transpose(1, 2).reshape(batch, length, Heads * HeadSize).MoveToOuterDisposeScope();
    }
}
