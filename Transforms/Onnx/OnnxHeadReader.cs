using Onnx;

namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// Reads the linear head that <see cref="OnnxBertWriter"/> wrote into a graph (<c>classifier.weight</c>,
/// <c>classifier.bias</c>, and the pooling from the nodes between <c>last_hidden_state</c> and <c>logits</c>), so that
/// a fine-tuned model can be rewritten (token pruning) without its training run.
/// </summary>
internal static class OnnxHeadReader
{
    /// <exception cref="FormatException">The graph has no sentence-level head written by <see cref="OnnxBertWriter"/>; the message names <paramref name="source"/>.</exception>
    public static OnnxLinearHead Read(byte[] onnx, string source)
    {
        ModelProto model = ModelProto.Parser.ParseFrom(onnx);
        var index = new OnnxGraphIndex(model.Graph);
        if (!index.TryGetConstant("classifier.weight", out TensorProto weight) || !index.TryGetConstant("classifier.bias", out TensorProto bias) || weight.Dims.Count != 2)
            throw new FormatException($"{source}: the graph has no classifier.weight / classifier.bias head.");
        EncoderPooling pooling = Pooling(index)
            ?? throw new FormatException($"{source}: the head reads every token (token classification) or pools in a way this reader does not know; token pruning needs a head on the pooled sentence vector.");
        int hidden = (int)weight.Dims[0], labels = (int)weight.Dims[1];
        float[] transposed = OnnxGraphIndex.Floats(weight);
        var rowMajor = new float[transposed.Length];
        for (int i = 0; i < hidden; i++)
            for (int o = 0; o < labels; o++)
                rowMajor[o * hidden + i] = transposed[i * labels + o];
        return new OnnxLinearHead(pooling, rowMajor, OnnxGraphIndex.Floats(bias));
    }

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
