using MLNetExt.Transforms.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

/// <summary>The stack of transformer layers (Hugging Face <c>BertEncoder</c>).</summary>
public sealed class BertEncoder : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly ModuleList<BertLayer> layer;
#pragma warning restore IDE1006

    /// <summary>Creates one <see cref="BertLayer"/> per entry of <see cref="BertConfig.HeadsPerLayer"/>.</summary>
    public BertEncoder(BertConfig config) : base(nameof(BertEncoder))
    {
        layer = nn.ModuleList(config.HeadsPerLayer.Select(h => new BertLayer(config, h)).ToArray());
        RegisterComponents();
    }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<BertLayer> Layers => layer.ToArray();

    /// <inheritdoc cref="BertSelfAttention.forward"/>
    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        Tensor x = hidden;
        foreach (BertLayer l in layer)
            x = l.forward(x, additiveMask);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The output of every layer [batch, seq, hidden], in order (the last one is <see cref="forward"/>'s result), and the
    /// attention log-probabilities (<see cref="BertSelfAttention.AttentionLogProbabilities"/>) of the layers named in
    /// <paramref name="attentionLayers"/>, in that order.
    /// </summary>
    internal (Tensor[] States, Tensor[] Attention) HiddenStates(Tensor hidden, Tensor additiveMask, IReadOnlyList<int> attentionLayers)
    {
        using var scope = NewDisposeScope();
        var states = new Tensor[layer.Count];
        var attention = new Tensor[attentionLayers.Count];
        Tensor x = hidden;
        for (int i = 0; i < states.Length; i++)
        {
            for (int a = 0; a < attention.Length; a++)
                if (attentionLayers[a] == i)
                    attention[a] = layer[i].Attention.SelfAttention.AttentionLogProbabilities(x, additiveMask);
            states[i] = x = layer[i].forward(x, additiveMask);
        }
        foreach (Tensor state in states.Concat(attention))
            state.MoveToOuterDisposeScope();
        return (states, attention);
    }
}

/// <summary>
/// A BERT-family encoder (BERT, MiniLM, arctic-embed) as TorchSharp modules, parameters named as in Hugging Face
/// (<c>embeddings.word_embeddings.weight</c>, <c>encoder.layer.0.attention.self.query.weight</c>, ...).
/// <see cref="forward"/> returns the last hidden state, like the <c>last_hidden_state</c> output of the ONNX graphs.
/// </summary>
public sealed class BertModel : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly BertEmbeddings embeddings;
    private readonly BertEncoder encoder;
#pragma warning restore IDE1006

    /// <summary>Creates a randomly initialised encoder for <paramref name="config"/>.</summary>
    public BertModel(BertConfig config) : base(nameof(BertModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        embeddings = new BertEmbeddings(config);
        encoder = new BertEncoder(config);
        RegisterComponents();
    }

    /// <summary>The configuration the model was built from.</summary>
    public BertConfig Config { get; }

    /// <summary>The transformer layers.</summary>
    public IReadOnlyList<BertLayer> Layers => encoder.Layers;

    /// <summary>The embedding layer.</summary>
    public BertEmbeddings Embeddings => embeddings;

    /// <summary><see cref="forward"/> from word-embedding vectors [batch, seq, hidden] instead of token ids.</summary>
    public Tensor ForwardFromWordEmbeddings(Tensor wordEmbeddings, Tensor attentionMask, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        Tensor additive = (1.0f - attentionMask.to_type(ScalarType.Float32)).mul(BertConfig.MaskedAttentionScore).unsqueeze(1).unsqueeze(1);
        Tensor hidden = embeddings.FromWordEmbeddings(wordEmbeddings, tokenTypeIds);
        return encoder.forward(hidden, additive).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The output of every layer [batch, seq, hidden] for a batch (see <see cref="forward"/>), in order; the last one
    /// is the last hidden state. What distillation on hidden states compares.
    /// </summary>
    internal Tensor[] HiddenStates(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) =>
        HiddenStates(inputIds, attentionMask, tokenTypeIds, []).States;

    /// <summary>
    /// <see cref="HiddenStates(Tensor, Tensor, Tensor)"/> and the attention log-probabilities [batch, heads, query, key]
    /// of the layers named in <paramref name="attentionLayers"/> (0-based, in that order). What distillation on hidden
    /// states and attention maps compares.
    /// </summary>
    internal (Tensor[] States, Tensor[] Attention) HiddenStates(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds, IReadOnlyList<int> attentionLayers)
    {
        foreach (int l in attentionLayers)
            if (l < 0 || l >= Layers.Count)
                throw new ArgumentOutOfRangeException(nameof(attentionLayers), l, $"Layer {l} has no attention map; the model has layers 0 to {Layers.Count - 1}.");
        using var scope = NewDisposeScope();
        Tensor additive = (1.0f - attentionMask.to_type(ScalarType.Float32)).mul(BertConfig.MaskedAttentionScore).unsqueeze(1).unsqueeze(1);
        (Tensor[] states, Tensor[] attention) = encoder.HiddenStates(embeddings.FromWordEmbeddings(embeddings.WordEmbeddings(inputIds), tokenTypeIds), additive, attentionLayers);
        foreach (Tensor t in states.Concat(attention))
            t.MoveToOuterDisposeScope();
        return (states, attention);
    }

    /// <summary>
    /// Encodes a batch: <paramref name="inputIds"/>, <paramref name="attentionMask"/> (1 real, 0 padding) and
    /// <paramref name="tokenTypeIds"/>, all int64 [batch, seq]; returns the last hidden state [batch, seq, hidden].
    /// </summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        return ForwardFromWordEmbeddings(embeddings.WordEmbeddings(inputIds), attentionMask, tokenTypeIds).MoveToOuterDisposeScope();
    }
}
