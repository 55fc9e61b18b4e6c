using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.ContextCompression;

/// <summary>
/// The MLP projector after the pooled layer: skip(h) + up(gelu(down(h))), mapping the hidden size to the compressor's
/// width. The skip starts as the identity (when the width equals the hidden size) and <c>up</c> at zero, so an
/// untrained projector passes the pooled layer's output through unchanged and training starts from the encoder's own
/// space rather than from a random one.
/// </summary>
public sealed class ContextProjector : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly Linear down;
    private readonly Linear up;
    private readonly Linear skip;
#pragma warning restore IDE1006

    /// <summary>Creates the projector from <paramref name="hiddenSize"/> through <paramref name="innerSize"/> to <paramref name="outputSize"/>.</summary>
    public ContextProjector(int hiddenSize, int innerSize, int outputSize) : base(nameof(ContextProjector))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(innerSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        down = nn.Linear(hiddenSize, innerSize);
        up = nn.Linear(innerSize, outputSize);
        skip = nn.Linear(hiddenSize, outputSize);
        using (no_grad())
        {
            up.weight!.zero_();
            up.bias!.zero_();
            if (outputSize == hiddenSize)
            {
                using Tensor identity = eye(hiddenSize);
                skip.weight!.copy_(identity);
                skip.bias!.zero_();
            }
        }
        RegisterComponents();
    }

    /// <summary>Projects [..., hidden] to [..., output].</summary>
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return (skip.forward(hidden) + up.forward(nn.functional.gelu(down.forward(hidden)))).MoveToOuterDisposeScope();
    }
}
