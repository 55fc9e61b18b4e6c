using Onnx;

namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// Tells how the head of a graph written by <see cref="OnnxBertWriter"/> pools <c>last_hidden_state</c>, from the nodes
/// between it and <c>logits</c> (token-pruned graphs included, whose pruning nodes also reduce and gather).
/// </summary>
internal static class OnnxHeadReader
{
    /// <summary>The pooling of the head, or null when the head reads every token (token classification) or the pattern is unknown.</summary>
    public static EncoderPooling? Pooling(ModelProto model) => Pooling(new OnnxGraphIndex(model.Graph));

    // The pooling patterns OnnxBertWriter.Pool writes: Gather (CLS); Mul by the mask, then Add of the padding penalty
    // (max) or ReduceSum divided by the count (mean) or by its square root (mean / sqrt(length)).
    private static EncoderPooling? Pooling(OnnxGraphIndex index)
    {
        foreach (NodeProto node in index.Consumers("last_hidden_state"))
        {
            if (node.OpType == "Gather")
                return EncoderPooling.Cls;
            if (node.OpType != "Mul")
                continue;
            foreach (NodeProto next in index.Consumers(node.Output[0]))
            {
                if (next.OpType == "Add")
                    return EncoderPooling.Max;
                if (next.OpType != "ReduceSum")
                    continue;
                NodeProto? divide = index.Consumers(next.Output[0]).FirstOrDefault(n => n.OpType == "Div");
                if (divide is not null)
                    return index.Producer(divide.Input[1])?.OpType == "Sqrt" ? EncoderPooling.MeanSqrtLen : EncoderPooling.Mean;
            }
        }
        return null;
    }
}
