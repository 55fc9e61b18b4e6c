using MLNetExt.Transforms.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

/// <summary>
/// An encoder with a linear head on every token's last hidden state (Hugging Face <c>BertForTokenClassification</c>:
/// parameters <c>bert.*</c> and <c>classifier.*</c>), one output per tag.
/// </summary>
public sealed class TokenClassifier : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly BertModel bert;
    private readonly Dropout dropout;
    private readonly Linear classifier;
#pragma warning restore IDE1006

    /// <summary>Wraps <paramref name="encoder"/> with a freshly initialised head of <paramref name="outputs"/> outputs per token.</summary>
    public TokenClassifier(BertModel encoder, int outputs) : base(nameof(TokenClassifier))
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (outputs < 1)
            throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "The head needs at least one output.");
        bert = encoder;
        Outputs = outputs;
        dropout = nn.Dropout(encoder.Config.HiddenDropout);
        classifier = nn.Linear(encoder.Config.HiddenSize, outputs);
        RegisterComponents();
    }

    /// <summary>The encoder.</summary>
    public BertModel Encoder => bert;

    /// <summary>Number of outputs (tags) per token.</summary>
    public int Outputs { get; }

    /// <summary>Turns gradient tracking of the encoder's parameters off (train the head only) or on.</summary>
    public void FreezeEncoder(bool frozen)
    {
        foreach (Parameter p in bert.parameters())
            p.requires_grad = !frozen;
    }

    /// <summary>The head's weights as a per-token <see cref="OnnxLinearHead"/> (no pooling), for <see cref="OnnxBertWriter"/>.</summary>
    public OnnxLinearHead ExportHead() =>
        new(null, classifier.weight!.detach().contiguous().data<float>().ToArray(), classifier.bias!.detach().contiguous().data<float>().ToArray());

    /// <summary>Logits [batch, sequence, outputs] of a batch of encoder inputs (see <see cref="BertModel.forward"/>).</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        Tensor hidden = bert.forward(inputIds, attentionMask, tokenTypeIds);
        return classifier.forward(dropout.forward(hidden)).MoveToOuterDisposeScope();
    }
}
