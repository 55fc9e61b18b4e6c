using Google.Protobuf;
using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using Onnx;
using TorchSharp;

namespace MLNetExt.Trainers.FineTuning;

/// <summary>
/// Reads a fine-tuned sentence classifier or regressor (the graph <see cref="EncoderFineTuningTrainer"/> exports) back
/// into TorchSharp: the encoder's weights, and the linear head (<c>classifier.weight</c> stored [hidden, labels],
/// <c>classifier.bias</c>) with the pooling that feeds it.
/// </summary>
internal static class FineTunedClassifierGraph
{
    /// <summary>The encoder weights and the head of <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">The model tags words (no pooled head) or its graph has no linear head; the message names the model.</exception>
    public static (BertWeights Encoder, OnnxLinearHead Head) Read(EncoderFineTuningTransformer model, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Kind == FineTuningKind.TokenClassification)
            throw new ArgumentException($"{source} is a token classifier (it tags words); head pruning takes a fine-tuned sentence classifier or regressor.", nameof(model));
        ModelProto graph;
        try
        {
            graph = ModelProto.Parser.ParseFrom(model.OnnxBytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ArgumentException($"{source}: the saved graph is not a valid ONNX model ({e.Message}).", nameof(model), e);
        }
        BertWeights weights = OnnxBertReader.Read(new MemoryStream(model.OnnxBytes, writable: false), source);
        return (weights, ReadHead(graph, weights.Config.HiddenSize, source));
    }

    /// <summary>A TorchSharp classifier holding the encoder and head of <paramref name="model"/>; the caller disposes it.</summary>
    public static SequenceClassifier CreateClassifier(EncoderFineTuningTransformer model, BertWeights encoder, OnnxLinearHead head)
    {
        var classifier = new SequenceClassifier(encoder.CreateModel(), model.ClassCount, head.Pooling ?? EncoderPooling.Mean);
        classifier.LoadHead(head);
        return classifier;
    }

    /// <summary>
    /// <see cref="CreateClassifier"/> frozen as a distillation teacher: evaluation mode (no dropout) and no gradients.
    /// The caller disposes it.
    /// </summary>
    public static SequenceClassifier CreateTeacher(EncoderFineTuningTransformer model, BertWeights encoder, OnnxLinearHead head)
    {
        SequenceClassifier teacher = CreateClassifier(model, encoder, head);
        teacher.eval();
        foreach (var parameter in teacher.parameters())
            parameter.requires_grad = false;
        return teacher;
    }

    /// <summary>The linear head of a fine-tuned graph, weight in PyTorch's [labels, hidden] layout, with its pooling (CLS, max or mean).</summary>
    /// <exception cref="ArgumentException">The graph has no linear head of width <paramref name="hidden"/>.</exception>
    public static OnnxLinearHead ReadHead(ModelProto graph, int hidden, string source)
    {
        TensorProto? weight = graph.Graph.Initializer.FirstOrDefault(t => t.Name == "classifier.weight");
        TensorProto? bias = graph.Graph.Initializer.FirstOrDefault(t => t.Name == "classifier.bias");
        if (weight is null || bias is null || weight.Dims.Count != 2 || weight.Dims[0] != hidden)
            throw new ArgumentException($"{source}: the graph has no linear head (initializers classifier.weight [{hidden}, labels] and classifier.bias); is it a fine-tuned classifier?", nameof(graph));
        float[] stored = Floats(weight);
        int labels = (int)weight.Dims[1];
        var rows = new float[stored.Length];
        for (int i = 0; i < hidden; i++)
            for (int o = 0; o < labels; o++)
                rows[o * hidden + i] = stored[i * labels + o];
        // Read from the nodes between last_hidden_state and logits (a token-pruned graph reduces with ReduceMax too).
        return new OnnxLinearHead(OnnxHeadReader.Pooling(graph) ?? EncoderPooling.Mean, rows, Floats(bias));
    }

    private static float[] Floats(TensorProto tensor) => tensor.RawData.Length > 0
        ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray()
        : tensor.FloatData.ToArray();
}
