using Onnx;
using static MLNetExt.Transforms.Onnx.OnnxGraphBuilder;

namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// The portable node patterns of a BERT layer over named PyTorch-layout weights (Linear weight [out, in]): linear
/// projections stored transposed as MatMul + Add, decomposed LayerNorm and erf GELU, as PyTorch's own export at opset 13
/// writes them. Shared by the encoder writer (<see cref="OnnxBertWriter"/>) and the learned context compressor's graph
/// (<see cref="OnnxContextCompressorWriter"/>).
/// </summary>
internal sealed class OnnxLayerBuilder(OnnxGraphBuilder g, IReadOnlyDictionary<string, (float[] Data, long[] Shape)> weights, double layerNormEps)
{
    public OnnxGraphBuilder Graph => g;

    /// <summary>Adds the named weight as an initializer of its own shape.</summary>
    public string Param(string name) => g.Floats(name, weights[name].Data, weights[name].Shape);

    /// <summary>Adds the Linear weight <paramref name="prefix"/>.weight transposed to [in, out].</summary>
    public string LinearWeight(string prefix)
    {
        (float[] w, long[] shape) = weights[prefix + ".weight"];
        int outSize = (int)shape[0], inSize = (int)shape[1];
        var t = new float[w.Length];
        for (int o = 0; o < outSize; o++)
            for (int i = 0; i < inSize; i++)
                t[i * outSize + o] = w[o * inSize + i];
        return g.Floats(prefix + ".weight", t, inSize, outSize);
    }

    /// <summary>x W^T + b of the Linear <paramref name="prefix"/>.</summary>
    public string Linear(string x, string prefix) =>
        g.Node("Add", [Param(prefix + ".bias"), g.Node("MatMul", [x, LinearWeight(prefix)])]);

    /// <summary>LayerNorm over the last axis with the weight and bias of <paramref name="prefix"/>.</summary>
    public string LayerNorm(string x, string prefix)
    {
        string centred = g.Node("Sub", [x, g.Node("ReduceMean", [x], null, Ints("axes", -1))]);
        string variance = g.Node("ReduceMean", [g.Node("Pow", [centred, g.Scalar(2f)])], null, Ints("axes", -1));
        string normed = g.Node("Div", [centred, g.Node("Sqrt", [g.Node("Add", [variance, g.Scalar((float)layerNormEps)])])]);
        return g.Node("Add", [g.Node("Mul", [normed, Param(prefix + ".weight")]), Param(prefix + ".bias")]);
    }

    /// <summary>Exact GELU: 0.5 x (1 + erf(x / sqrt 2)).</summary>
    public string Gelu(string x) =>
        g.Node("Mul", [g.Node("Mul", [x, g.Node("Add", [g.Node("Erf", [g.Node("Div", [x, g.Scalar(MathF.Sqrt(2f))])]), g.Scalar(1f)])]), g.Scalar(0.5f)]);

    /// <summary>The additive attention mask [batch, 1, 1, sequence] of an int64 <paramref name="attentionMask"/> [batch, sequence].</summary>
    public string AdditiveMask(string attentionMask)
    {
        string axis1 = g.Longs(g.Name("axes_1"), [1], 1), axis2 = g.Longs(g.Name("axes_2"), [2], 1);
        string maskFloat = g.Node("Cast", [g.Node("Unsqueeze", [g.Node("Unsqueeze", [attentionMask, axis1]), axis2])], null, Int("to", (long)TensorProto.Types.DataType.Float));
        return g.Node("Mul", [g.Node("Sub", [g.Scalar(1f), maskFloat]), g.Scalar(BertConfig.MaskedAttentionScore)]);
    }

    /// <summary>
    /// Multi-head attention of <paramref name="queries"/> [batch, m, hidden] over <paramref name="keysAndValues"/>
    /// [batch, n, hidden] with the projections of <paramref name="pre"/> (<c>.attention.self.query/key/value</c>) and an
    /// additive mask [batch, 1, 1, n]; returns the concatenated heads [batch, m, heads * headSize].
    /// </summary>
    public string Attention(string queries, string keysAndValues, string additiveMask, string pre, int heads, int headSize)
    {
        string split = g.Longs($"{pre}.split_shape", [0, 0, heads, headSize], 4);
        string Heads(string input, string name, params long[] perm) =>
            g.Node("Transpose", [g.Node("Reshape", [Linear(input, $"{pre}.attention.self.{name}"), split])], null, Ints("perm", perm));
        string query = Heads(queries, "query", 0, 2, 1, 3);
        string key = Heads(keysAndValues, "key", 0, 2, 3, 1);
        string value = Heads(keysAndValues, "value", 0, 2, 1, 3);
        string scores = g.Node("Add", [g.Node("Div", [g.Node("MatMul", [query, key]), g.Scalar(MathF.Sqrt(headSize))]), additiveMask]);
        string context = g.Node("MatMul", [g.Node("Softmax", [scores], null, Int("axis", -1)), value]);
        return g.Node("Reshape", [
            g.Node("Transpose", [context], null, Ints("perm", 0, 2, 1, 3)),
            g.Longs($"{pre}.merge_shape", [0, 0, heads * headSize], 3)]);
    }

    /// <summary>
    /// The rest of a BERT layer after its attention: output projection + residual + LayerNorm, then the feed-forward
    /// block with its residual and LayerNorm.
    /// </summary>
    public string AfterAttention(string context, string residual, string pre)
    {
        string attended = LayerNorm(g.Node("Add", [Linear(context, $"{pre}.attention.output.dense"), residual]), $"{pre}.attention.output.LayerNorm");
        string gelu = Gelu(Linear(attended, $"{pre}.intermediate.dense"));
        return LayerNorm(g.Node("Add", [Linear(gelu, $"{pre}.output.dense"), attended]), $"{pre}.output.LayerNorm");
    }
}
