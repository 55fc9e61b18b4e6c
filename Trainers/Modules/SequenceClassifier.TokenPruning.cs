using MLNetExt.Transforms.TokenPruning;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

public sealed partial class SequenceClassifier
{
    /// <summary>
    /// Logits [batch, outputs] of a batch encoded with token pruning (<see cref="TokenPruning.Encode"/>): the sentence
    /// vector is pooled over the tokens the last layer kept.
    /// </summary>
    public Tensor ForwardPruned(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds, TokenKeepSchedule schedule)
    {
        using var scope = NewDisposeScope();
        (Tensor hidden, Tensor mask) = TokenPruning.Encode(bert, inputIds, attentionMask, tokenTypeIds, schedule);
        Tensor pooled = Modules.Pooling.Pool(hidden, mask, Pooling);
        return classifier.forward(dropout.forward(pooled)).MoveToOuterDisposeScope();
    }
}
