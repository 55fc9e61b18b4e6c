using MLNetExt.Transforms.Onnx;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

/// <summary>
/// The feed-forward block that ends a BERT-style layer, LayerNorm(dense(gelu(dense(x))) + x) (Hugging Face
/// <c>BertIntermediate</c> and <c>BertOutput</c>), shared by <see cref="BertLayer"/>, the context compressor's
/// pooled-query layer and the reconstruction decoder's layers.
/// </summary>
/// <remarks>
/// It is not a module of its own: its two parts are registered directly in the layer that holds it
/// (<see cref="RegisterIn"/>) under Hugging Face's names <c>intermediate</c> and <c>output</c>, so parameter names
/// (<c>encoder.layer.5.intermediate.dense.weight</c>, <c>layer.output.LayerNorm.bias</c>) stay what weight import,
/// ONNX export and saved checkpoints expect.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The parts are registered in the layer that holds the block, and that layer disposes them with its other modules.")]
internal sealed class BertFeedForward
{
    private readonly BertIntermediate _intermediate;
    private readonly BertResidualOutput _output;

    /// <summary>Creates the block for <paramref name="config"/>'s hidden and intermediate sizes, LayerNorm epsilon and dropout.</summary>
    public BertFeedForward(BertConfig config)
    {
        _intermediate = new BertIntermediate(config);
        _output = new BertResidualOutput(config.IntermediateSize, config.HiddenSize, config.LayerNormEps, config.HiddenDropout);
    }

    /// <summary>
    /// Registers the two parts in <paramref name="layer"/> as <c>intermediate</c> and <c>output</c>; call it right after
    /// the layer's <c>RegisterComponents()</c>, so that they follow its attention in the parameter order, as before.
    /// </summary>
    public void RegisterIn(nn.Module layer)
    {
        layer.register_module("intermediate", _intermediate);
        layer.register_module("output", _output);
    }

    /// <summary>The block applied to the attention block's output [batch, seq, hidden].</summary>
    public Tensor Forward(Tensor attended)
    {
        using var scope = NewDisposeScope();
        return _output.forward(_intermediate.forward(attended), attended).MoveToOuterDisposeScope();
    }
}
