using MLNetExt.Transforms.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

/// <summary>Output projection of the attention block, residual and LayerNorm (Hugging Face <c>BertSelfOutput</c>, <c>BertOutput</c>).</summary>
public sealed class BertResidualOutput : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;
    private readonly AttentionExpander? expander;
#pragma warning restore IDE1006

    /// <summary>
    /// Creates the projection from <paramref name="inputSize"/> back to <paramref name="hiddenSize"/>, with SHRP's
    /// <see cref="AttentionExpander"/> after it when <paramref name="expanderSize"/> is positive.
    /// </summary>
    public BertResidualOutput(int inputSize, int hiddenSize, double layerNormEps, double hiddenDropout, int expanderSize = 0) : base(nameof(BertResidualOutput))
    {
        dense = nn.Linear(inputSize, hiddenSize);
        if (expanderSize > 0)
            expander = new AttentionExpander(hiddenSize, expanderSize);
        LayerNorm = nn.LayerNorm(hiddenSize, layerNormEps);
        dropout = nn.Dropout(hiddenDropout);
        RegisterComponents();
    }

    /// <summary>LayerNorm(dropout(expander(dense(<paramref name="states"/>))) + <paramref name="residual"/>), the expander only when there is one.</summary>
    public override Tensor forward(Tensor states, Tensor residual)
    {
        using var scope = NewDisposeScope();
        Tensor projected = dense.forward(states);
        if (expander is not null)
            projected = expander.forward(projected);
        return LayerNorm.forward(dropout.forward(projected) + residual).MoveToOuterDisposeScope();
    }
}

/// <summary>Self-attention followed by its output block (Hugging Face <c>BertAttention</c>).</summary>
public sealed partial class BertAttention : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly BertSelfAttention self;
    private readonly BertResidualOutput output;
#pragma warning restore IDE1006

    /// <summary>Creates the block with <paramref name="heads"/> heads.</summary>
    public BertAttention(BertConfig config, int heads) : base(nameof(BertAttention))
    {
        self = new BertSelfAttention(config.HiddenSize, heads, config.HeadSize, config.AttentionDropout);
        output = new BertResidualOutput(heads * config.HeadSize, config.HiddenSize, config.LayerNormEps, config.HiddenDropout, config.ExpanderSize);
        RegisterComponents();
    }

    /// <summary>The self-attention of this block.</summary>
    public BertSelfAttention SelfAttention => self;

    /// <inheritdoc cref="BertSelfAttention.forward"/>
    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        return output.forward(self.forward(hidden, additiveMask), hidden).MoveToOuterDisposeScope();
    }
}

/// <summary>The feed-forward expansion with exact (erf) GELU (Hugging Face <c>BertIntermediate</c>).</summary>
public sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly Linear dense;
#pragma warning restore IDE1006

    /// <summary>Creates the expansion to <see cref="BertConfig.IntermediateSize"/>.</summary>
    public BertIntermediate(BertConfig config) : base(nameof(BertIntermediate))
    {
        dense = nn.Linear(config.HiddenSize, config.IntermediateSize);
        RegisterComponents();
    }

    /// <summary>gelu(dense(<paramref name="hidden"/>)).</summary>
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return nn.functional.gelu(dense.forward(hidden)).MoveToOuterDisposeScope();
    }
}

/// <summary>One transformer layer: attention block, then feed-forward block (Hugging Face <c>BertLayer</c>).</summary>
public sealed partial class BertLayer : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly BertAttention attention;
#pragma warning restore IDE1006
    private readonly BertFeedForward _feedForward;

    /// <summary>Creates a layer with <paramref name="heads"/> attention heads.</summary>
    public BertLayer(BertConfig config, int heads) : base(nameof(BertLayer))
    {
        attention = new BertAttention(config, heads);
        _feedForward = new BertFeedForward(config);
        RegisterComponents();
        _feedForward.RegisterIn(this);
    }

    /// <summary>The attention block of this layer.</summary>
    public BertAttention Attention => attention;

    /// <inheritdoc cref="BertSelfAttention.forward"/>
    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        return _feedForward.Forward(attention.forward(hidden, additiveMask)).MoveToOuterDisposeScope();
    }
}
