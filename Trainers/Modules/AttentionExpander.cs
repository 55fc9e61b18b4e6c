using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

/// <summary>
/// The light feed-forward network of SHRP's Expert Attention, shared by all heads of a layer: it refines the heads'
/// projected output <c>a</c> before the residual, <c>a + dense_out(gelu(dense_in(a)))</c>. <c>dense_out</c> starts at
/// zero, so adding an expander to a trained layer changes nothing until it is trained. Exported by
/// <see cref="MLNetExt.Transforms.Onnx.OnnxBertWriter"/> when <see cref="MLNetExt.Transforms.Onnx.BertConfig.ExpanderSize"/> is set.
/// </summary>
public sealed class AttentionExpander : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly Linear dense_in;
    private readonly Linear dense_out;
#pragma warning restore IDE1006

    /// <summary>Creates an expander from <paramref name="hiddenSize"/> through <paramref name="size"/> and back.</summary>
    public AttentionExpander(int hiddenSize, int size) : base(nameof(AttentionExpander))
    {
        dense_in = nn.Linear(hiddenSize, size);
        dense_out = nn.Linear(size, hiddenSize);
        using (no_grad())
        {
            dense_out.weight!.zero_();
            dense_out.bias!.zero_();
        }
        RegisterComponents();
    }

    /// <summary><paramref name="projected"/> + dense_out(gelu(dense_in(<paramref name="projected"/>))).</summary>
    public override Tensor forward(Tensor projected)
    {
        using var scope = NewDisposeScope();
        return (projected + dense_out.forward(nn.functional.gelu(dense_in.forward(projected)))).MoveToOuterDisposeScope();
    }
}
