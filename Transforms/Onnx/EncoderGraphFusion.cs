using Google.Protobuf;
using Onnx;

namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// Re-emits a BERT-family encoder's graph with ONNX Runtime's fused transformer operators (one Attention kernel per
/// layer instead of MatMul/Reshape/Transpose/Softmax chains, SkipLayerNormalization for residual + LayerNorm, BiasGelu).
/// The weights are copied from the graph as plain arrays (<see cref="OnnxBertReader"/>, <see cref="OnnxBertWriter"/>)
/// and the arithmetic is unchanged (last hidden states agree with the original graph to about 1e-5); ONNX Runtime's own
/// optimiser does not find these fusions in the exported PyTorch pattern on CPU, so the fused graph runs faster.
/// </summary>
/// <remarks>
/// <c>EncodeText</c> does this by default (<see cref="TextEncoderOptions.FuseGraph"/>); call <see cref="Fuse"/> to get
/// the fused model itself, e.g. to save it or to profile it.
/// </remarks>
public static class EncoderGraphFusion
{
    /// <summary>
    /// Returns <paramref name="model"/> over a fused graph held in memory, for <c>EncodeText</c> and everything else
    /// that takes an <see cref="EncoderModel"/>. The graph runs on ONNX Runtime only (it uses <c>com.microsoft</c> operators).
    /// A graph that is fused already is returned as it is.
    /// </summary>
    /// <exception cref="InvalidDataException">The graph is not a BERT-family encoder that <see cref="OnnxBertReader"/> can read; the message names it.</exception>
    public static EncoderModel Fuse(EncoderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!TryFuse(model, out EncoderModel fused, out string reason))
            throw new InvalidDataException($"{model.OnnxPath}: cannot fuse this graph; {reason}");
        return fused;
    }

    /// <summary>
    /// Fuses <paramref name="model"/> when its graph is a recognised BERT-family encoder; otherwise gives the model back
    /// with the reason in <paramref name="reason"/>. A graph with ONNX Runtime's fused Attention already is recognised
    /// and kept as it is.
    /// </summary>
    internal static bool TryFuse(EncoderModel model, out EncoderModel fused, out string reason)
    {
        fused = model;
        if (!string.Equals(model.Config.ModelType, "bert", StringComparison.OrdinalIgnoreCase))
        {
            // Other families (RoBERTa's position offsets, DistilBERT's layout, ...) could read as BERT weights and compute something else.
            reason = $"model_type is '{model.Config.ModelType}'; only 'bert' graphs are fused.";
            return false;
        }
        ModelProto graph;
        try
        {
            graph = ModelProto.Parser.ParseFrom(model.ReadOnnxBytes());
        }
        catch (InvalidProtocolBufferException e)
        {
            reason = $"expected a BERT-family encoder, but the file is not a valid ONNX model ({e.Message}).";
            return false;
        }
        if (EncoderQuantizer.IsQuantized(graph))
        {
            // Re-emitting would need float weights; an int8 graph runs as it was written.
            bool fusedAttention = graph.Graph.Node.Any(n => n.OpType is "QAttention" or "Attention" && n.Domain == "com.microsoft");
            reason = fusedAttention
                ? "the graph is int8-quantised over ONNX Runtime's fused kernels."
                : "the graph is int8-quantised without fused attention (quantise with FuseGraph on to get QAttention).";
            return fusedAttention;
        }
        if (graph.Graph.Node.Any(n => n.OpType == "Attention" && n.Domain == "com.microsoft"))
        {
            reason = "the graph already uses ONNX Runtime's fused Attention.";
            return true;
        }
        if (graph.Graph.Output.Any(o => o.Name == "logits"))
        {
            reason = "the graph has a 'logits' output (a task head), which the re-emitted encoder would not keep.";
            return false;
        }
        BertWeights weights;
        try
        {
            weights = OnnxBertReader.Read(graph, model.OnnxPath);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            reason = $"expected a BERT-family encoder with named embeddings and layer weights. {e.Message}";
            return false;
        }
        fused = model.WithGraph(OnnxBertWriter.ToBytes(weights, style: OnnxGraphStyle.OnnxRuntimeFused), "fused");
        reason = "";
        return true;
    }
}
