using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

// The forward passes that also return the attention probabilities, for token pruning (TokenPruning.Encode).

public sealed partial class BertSelfAttention
{
    /// <summary>
    /// <see cref="forward"/> with the attention computed explicitly, also returning its probabilities
    /// [batch, heads, seq, seq] (before attention dropout) so that tokens can be ranked by them.
    /// </summary>
    public (Tensor Context, Tensor Probabilities) ForwardWithProbabilities(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0], length = hidden.shape[1];
        Tensor Split(Linear projection) =>
            projection.forward(hidden).view(batch, length, Heads, HeadSize).transpose(1, 2);
        Tensor scores = Split(query).matmul(Split(key).transpose(-1, -2)).div(Math.Sqrt(HeadSize)) + additiveMask;
        Tensor probabilities = nn.functional.softmax(scores, -1);
        Tensor weights = training && _attentionDropout > 0 ? nn.functional.dropout(probabilities, _attentionDropout, true) : probabilities;
        Tensor context = weights.matmul(Split(value));
        if (_headMask is not null)
            context = context * _headMask.view(1, Heads, 1, 1);
        Tensor merged = context.transpose(1, 2).reshape(batch, length, Heads * HeadSize);
        return (merged.MoveToOuterDisposeScope(), probabilities.MoveToOuterDisposeScope());
    }
}

public sealed partial class BertAttention
{
    /// <summary><see cref="forward"/>, also returning the attention probabilities [batch, heads, seq, seq].</summary>
    public (Tensor Output, Tensor Probabilities) ForwardWithProbabilities(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        (Tensor context, Tensor probabilities) = self.ForwardWithProbabilities(hidden, additiveMask);
        return (output.forward(context, hidden).MoveToOuterDisposeScope(), probabilities.MoveToOuterDisposeScope());
    }
}

public sealed partial class BertLayer
{
    /// <summary><see cref="forward"/>, also returning the layer's attention probabilities [batch, heads, seq, seq].</summary>
    public (Tensor Output, Tensor Probabilities) ForwardWithProbabilities(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        (Tensor attended, Tensor probabilities) = attention.ForwardWithProbabilities(hidden, additiveMask);
        return (_feedForward.Forward(attended).MoveToOuterDisposeScope(), probabilities.MoveToOuterDisposeScope());
    }
}
