using Google.Protobuf;
using Onnx;
using static MLNetExt.Transforms.Onnx.OnnxGraphBuilder;

namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// Writes the learned part of an ARC-style context compressor as an ONNX graph: one transformer layer whose queries are
/// pooled (each output vector's query is the average of its group's token queries) while its keys and values come from
/// every token, followed by the MLP projector. What <see cref="LearnedContextCompressor"/> runs after the encoder.
/// </summary>
/// <remarks>
/// Inputs: <c>hidden_states</c> (float [batch, sequence, hidden], the encoder's output before its last layer),
/// <c>attention_mask</c> (int64 [batch, sequence]) and <c>pooling</c> (float [batch, vectors, sequence], row k holding
/// 1/|group k| on the group's tokens, 0 elsewhere). Output: <c>vectors</c> (float [batch, vectors, width]).
/// Since the query projection is affine and each pooling row sums to 1, pooling the hidden states before the query
/// projection equals averaging the token queries. Weights are named as in the TorchSharp module (PyTorch layout):
/// <c>layer.attention.self.query.weight</c>, ..., <c>layer.output.LayerNorm.bias</c>, <c>projector.down.weight</c>,
/// <c>projector.up.weight</c>, <c>projector.skip.weight</c> and their biases; the projector computes
/// skip(h) + up(gelu(down(h))).
/// </remarks>
internal static class OnnxContextCompressorWriter
{
    public const string HiddenStates = "hidden_states";
    public const string AttentionMask = "attention_mask";
    public const string Pooling = "pooling";
    public const string Vectors = "vectors";

    /// <summary>The serialized graph.</summary>
    /// <exception cref="ArgumentException">A weight is missing or its shape does not fit <paramref name="hidden"/>.</exception>
    public static byte[] ToBytes(IReadOnlyDictionary<string, (float[] Data, long[] Shape)> weights, int hidden, int heads, int headSize, double layerNormEps)
    {
        ArgumentNullException.ThrowIfNull(weights);
        Check(weights, hidden, heads * headSize);
        var g = new OnnxGraphBuilder { Graph = { Name = "context_compressor" } };
        var ops = new OnnxLayerBuilder(g, weights, layerNormEps);

        string mask = ops.AdditiveMask(AttentionMask);
        string pooled = g.Node("MatMul", [Pooling, HiddenStates]);
        string layer = ops.AfterAttention(ops.Attention(pooled, HiddenStates, mask, "layer", heads, headSize), pooled, "layer");
        string projected = g.Node("Add", [ops.Linear(layer, "projector.skip"), ops.Linear(ops.Gelu(ops.Linear(layer, "projector.down")), "projector.up")]);
        g.Node("Identity", [projected], Vectors);

        int width = (int)weights["projector.skip.weight"].Shape[0];
        g.Graph.Input.Add(TensorInfo(HiddenStates, TensorProto.Types.DataType.Float, "batch", "sequence", hidden));
        g.Graph.Input.Add(TensorInfo(AttentionMask, TensorProto.Types.DataType.Int64, "batch", "sequence"));
        g.Graph.Input.Add(TensorInfo(Pooling, TensorProto.Types.DataType.Float, "batch", "vectors", "sequence"));
        g.Graph.Output.Add(TensorInfo(Vectors, TensorProto.Types.DataType.Float, "batch", "vectors", width));
        var model = new ModelProto
        {
            IrVersion = 7,
            ProducerName = "MLNetExt",
            ProducerVersion = typeof(OnnxContextCompressorWriter).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = g.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    private static void Check(IReadOnlyDictionary<string, (float[] Data, long[] Shape)> weights, int hidden, int width)
    {
        void Expect(string name, params long[] shape)
        {
            if (!weights.TryGetValue(name, out var w))
                throw new ArgumentException($"The context compressor's weights have no '{name}'.", nameof(weights));
            if (!w.Shape.SequenceEqual(shape) || w.Data.LongLength != shape.Aggregate(1L, (a, b) => a * b))
                throw new ArgumentException($"Weight '{name}' has shape [{string.Join(", ", w.Shape)}]; expected [{string.Join(", ", shape)}].", nameof(weights));
        }
        foreach (string part in new[] { "query", "key", "value" })
        {
            Expect($"layer.attention.self.{part}.weight", width, hidden);
            Expect($"layer.attention.self.{part}.bias", width);
        }
        Expect("layer.attention.output.dense.weight", hidden, width);
        foreach (string norm in new[] { "layer.attention.output.LayerNorm", "layer.output.LayerNorm" })
        {
            Expect(norm + ".weight", hidden);
            Expect(norm + ".bias", hidden);
        }
        long inner = weights.TryGetValue("layer.intermediate.dense.weight", out var i) ? i.Shape[0] : 0;
        Expect("layer.intermediate.dense.weight", inner, hidden);
        Expect("layer.output.dense.weight", hidden, inner);
        long down = weights.TryGetValue("projector.down.weight", out var d) ? d.Shape[0] : 0;
        long outWidth = weights.TryGetValue("projector.skip.weight", out var s) ? s.Shape[0] : 0;
        if (down < 1 || outWidth < 1)
            throw new ArgumentException("The context compressor's weights need projector.down.weight and projector.skip.weight with at least one row.", nameof(weights));
        Expect("projector.down.weight", down, hidden);
        Expect("projector.up.weight", outWidth, down);
        Expect("projector.skip.weight", outWidth, hidden);
        foreach ((string name, long size) in new[] { ("layer.attention.output.dense", (long)hidden), ("layer.intermediate.dense", inner), ("layer.output.dense", hidden),
            ("projector.down", down), ("projector.up", outWidth), ("projector.skip", outWidth) })
            Expect(name + ".bias", size);
    }
}
