using MLNetExt.Transforms.TokenPruning;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

public sealed partial class SequenceClassifier
{
    /// <summary>
    /// Logits [batch, outputs] of a batch encoded with token pruning (<see cref="TokenPruning.Encode"/>): the sentence
    /// vector is pooled by <see cref="TokenPruning.Pool"/> (mean pooling over every real token, a dropped one at its last state).
    /// </summary>
    public Tensor ForwardPruned(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds, TokenKeepSchedule schedule)
    {
        using var scope = NewDisposeScope();
        (Tensor hidden, Tensor mask, Tensor dropped) = TokenPruning.Encode(bert, inputIds, attentionMask, tokenTypeIds, schedule);
        Tensor pooled = TokenPruning.Pool(hidden, mask, dropped, attentionMask, Pooling);
        return classifier.forward(dropout.forward(pooled)).MoveToOuterDisposeScope();
    }
}
