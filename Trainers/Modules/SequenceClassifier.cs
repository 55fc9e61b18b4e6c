using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Modules;

/// <summary>
/// An encoder with a linear head on its pooled sentence vector (Hugging Face <c>BertForSequenceClassification</c>:
/// parameters <c>bert.*</c> and <c>classifier.*</c>). One output per class, or one output for regression.
/// </summary>
public sealed partial class SequenceClassifier : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly BertModel bert;
    private readonly Dropout dropout;
    private readonly Linear classifier;
#pragma warning restore IDE1006

    /// <summary>Wraps <paramref name="encoder"/> with a freshly initialised head of <paramref name="outputs"/> outputs.</summary>
    public SequenceClassifier(BertModel encoder, int outputs, EncoderPooling pooling) : base(nameof(SequenceClassifier))
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (outputs < 1)
            throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "The head needs at least one output.");
        bert = encoder;
        Pooling = pooling;
        Outputs = outputs;
        dropout = nn.Dropout(encoder.Config.HiddenDropout);
        classifier = nn.Linear(encoder.Config.HiddenSize, outputs);
        RegisterComponents();
    }

    /// <summary>The encoder.</summary>
    public BertModel Encoder => bert;

    /// <summary>How the sentence vector is pooled.</summary>
    public EncoderPooling Pooling { get; }

    /// <summary>Number of outputs of the head.</summary>
    public int Outputs { get; }

    /// <summary>Turns gradient tracking of the encoder's parameters off (train the head only) or on.</summary>
    public void FreezeEncoder(bool frozen)
    {
        foreach (Parameter p in bert.parameters())
            p.requires_grad = !frozen;
    }

    /// <summary>The head's weights as <see cref="OnnxLinearHead"/>, for <see cref="OnnxBertWriter"/>.</summary>
    public OnnxLinearHead ExportHead() =>
        new(Pooling, classifier.weight!.detach().contiguous().data<float>().ToArray(), classifier.bias!.detach().contiguous().data<float>().ToArray());

    /// <summary>Copies the weights of a head written by <see cref="ExportHead"/> (e.g. read back from a fine-tuned graph) into this head.</summary>
    /// <exception cref="ArgumentException">The head's size differs from this one's (the message gives both).</exception>
    public void LoadHead(OnnxLinearHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        int hidden = (int)classifier.weight!.shape[1];
        if (head.Bias.Length != Outputs || head.Weight.Length != Outputs * hidden)
            throw new ArgumentException($"The head has {head.Bias.Length} outputs and {head.Weight.Length} weights; this classifier needs {Outputs} outputs x {hidden} inputs.", nameof(head));
        using var noGrad = no_grad();
        using Tensor weight = tensor(head.Weight, [Outputs, hidden]);
        using Tensor bias = tensor(head.Bias, [Outputs]);
        classifier.weight!.copy_(weight);
        classifier.bias!.copy_(bias);
    }

    /// <summary>Logits [batch, outputs] of a batch of encoder inputs (see <see cref="BertModel.forward"/>).</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        return ForwardFromHidden(bert.forward(inputIds, attentionMask, tokenTypeIds), attentionMask).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Logits [batch, outputs] from the encoder's last hidden state [batch, seq, hidden] (pooling, dropout, head): what
    /// <see cref="forward"/> does after the encoder, for callers that ran the encoder themselves (e.g. for every layer's output).
    /// </summary>
    public Tensor ForwardFromHidden(Tensor lastHiddenState, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        Tensor pooled = Modules.Pooling.Pool(lastHiddenState, attentionMask, Pooling);
        return classifier.forward(dropout.forward(pooled)).MoveToOuterDisposeScope();
    }
}
