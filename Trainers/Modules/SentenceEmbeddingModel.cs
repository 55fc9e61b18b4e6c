using MLNetExt.Transforms;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

/// <summary>
/// An encoder followed by sentence pooling (sentence-transformers' Transformer -> Pooling): <see cref="forward"/>
/// returns one vector per row, unnormalised (losses normalise where their formula says so).
/// </summary>
public sealed class SentenceEmbeddingModel : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly BertModel bert;
#pragma warning restore IDE1006

    /// <summary>Wraps <paramref name="encoder"/> with <paramref name="pooling"/>.</summary>
    public SentenceEmbeddingModel(BertModel encoder, EncoderPooling pooling) : base(nameof(SentenceEmbeddingModel))
    {
        ArgumentNullException.ThrowIfNull(encoder);
        bert = encoder;
        Pooling = pooling;
        RegisterComponents();
    }

    /// <summary>The encoder.</summary>
    public BertModel Encoder => bert;

    /// <summary>How the sentence vector is pooled.</summary>
    public EncoderPooling Pooling { get; }

    /// <summary>Sentence vectors [batch, hidden] of a batch of encoder inputs (see <see cref="BertModel.forward"/>).</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        Tensor hidden = bert.forward(inputIds, attentionMask, tokenTypeIds);
        return Modules.Pooling.Pool(hidden, attentionMask, Pooling).MoveToOuterDisposeScope();
    }
}
