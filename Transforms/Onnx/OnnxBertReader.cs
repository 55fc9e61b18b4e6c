using Google.Protobuf;
using Onnx;

namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// Reads a BERT-family encoder out of an ONNX graph exported from PyTorch (all-MiniLM-L6-v2, arctic-embed-xs, or
/// graphs written by <see cref="OnnxBertWriter"/>, fused ones included): the configuration is inferred from tensor
/// shapes and the graph (heads per layer from the attention Reshape or the fused Attention node, LayerNorm epsilon
/// from the constant before its Sqrt), and the weights are mapped to Hugging Face parameter names as plain arrays.
/// </summary>
/// <remarks>
/// Exporters keep the PyTorch names of biases, LayerNorms and embeddings but store each Linear weight as an unnamed,
/// transposed [in, out] initializer feeding a MatMul. The importer follows the graph: for every named
/// <c>X.bias</c> consumed by an Add, the other Add input comes from a MatMul whose second input is the weight of
/// <c>X</c>; it is transposed back to PyTorch's [out, in].
/// </remarks>
public static class OnnxBertReader
{
    /// <summary>Reads the configuration and weights (Hugging Face names, PyTorch layouts) of the ONNX model at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is not an ONNX model, or not a BERT-family encoder graph; the message names the file and what is missing.</exception>
    public static BertWeights Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"ONNX model '{path}' does not exist.", path);
        using FileStream stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads the configuration and weights of the ONNX model in <paramref name="stream"/>.</summary>
    /// <param name="stream">The serialized ONNX model.</param>
    /// <param name="source">The name used in error messages (a path or model name).</param>
    /// <exception cref="FormatException">Not an ONNX model, or not a BERT-family encoder graph; the message names <paramref name="source"/> and what is missing.</exception>
    public static BertWeights Read(Stream stream, string source = "model.onnx")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FormatException($"{source}: not a valid ONNX model ({e.Message}).", e);
        }
        return Read(model, source);
    }

    internal static BertWeights Read(ModelProto model, string source)
    {
        var index = new OnnxGraphIndex(model.Graph);
        var weights = new Dictionary<string, (float[] Data, long[] Shape)>(StringComparer.Ordinal);
        foreach (TensorProto t in index.Initializers)
        {
            if (t.DataType == (int)TensorProto.Types.DataType.Float && LooksLikeParameterName(t.Name))
                weights[t.Name] = (OnnxGraphIndex.Floats(t), t.Dims.ToArray());
        }

        // Linear weights: named bias -> Add -> other input produced by MatMul(x, W).
        foreach (string bias in weights.Keys.Where(k => k.EndsWith(".bias", StringComparison.Ordinal)).ToArray())
        {
            // A named weight feeding a MatMul is stored [in, out] too (our own exports): the graph path decides.
            string weightName = bias[..^".bias".Length] + ".weight";
            foreach (NodeProto add in index.Consumers(bias).Where(n => n.OpType == "Add"))
            {
                string other = add.Input[0] == bias ? add.Input[1] : add.Input[0];
                if (index.Producer(other) is { OpType: "MatMul" } matMul && index.TryGetConstant(matMul.Input[1], out TensorProto w) && w.Dims.Count == 2)
                {
                    weights[weightName] = (Transpose(OnnxGraphIndex.Floats(w), (int)w.Dims[0], (int)w.Dims[1]), [w.Dims[1], w.Dims[0]]);
                    break;
                }
            }
        }

        ReadFusedLayers(index, weights);
        BertConfig config = InferConfig(index, weights, source);
        CheckActivation(index, config.LayerCount, source);
        var result = new BertWeights(config, weights);
        result.CheckComplete(source);
        return result;
    }

    // Graphs written with OnnxGraphStyle.OnnxRuntimeFused: one packed [hidden, 3 x width] query/key/value weight per
    // layer (split back into the three projections), and projections whose bias is an input of SkipLayerNormalization
    // (index 4) or BiasGelu (index 1) instead of an Add after the MatMul.
    private static void ReadFusedLayers(OnnxGraphIndex index, Dictionary<string, (float[] Data, long[] Shape)> weights)
    {
        const string Packed = ".attention.self.qkv.weight";
        foreach (string packed in weights.Keys.Where(k => k.EndsWith(Packed, StringComparison.Ordinal)).ToArray())
        {
            string prefix = packed[..^Packed.Length] + ".attention.self.";
            (float[] w, long[] shape) = weights[packed];
            (float[] b, _) = weights[prefix + "qkv.bias"];
            int hidden = (int)shape[0], width = (int)shape[1] / 3;
            string[] parts = ["query", "key", "value"];
            for (int part = 0; part < 3; part++)
            {
                var projection = new float[width * hidden];
                for (int h = 0; h < hidden; h++)
                    for (int o = 0; o < width; o++)
                        projection[o * hidden + h] = w[h * 3 * width + part * width + o];
                weights[prefix + parts[part] + ".weight"] = (projection, [width, hidden]);
                weights[prefix + parts[part] + ".bias"] = (b[(part * width)..((part + 1) * width)], [width]);
            }
            weights.Remove(packed);
            weights.Remove(prefix + "qkv.bias");
        }

        foreach (NodeProto node in index.Graph.Node)
        {
            int biasInput = node.OpType switch { "SkipLayerNormalization" => 4, "BiasGelu" => 1, _ => -1 };
            if (biasInput < 0 || node.Input.Count <= biasInput || !node.Input[biasInput].EndsWith(".bias", StringComparison.Ordinal))
                continue;
            if (index.Producer(node.Input[0]) is { OpType: "MatMul" } matMul && index.TryGetConstant(matMul.Input[1], out TensorProto t) && t.Dims.Count == 2)
                weights[node.Input[biasInput][..^".bias".Length] + ".weight"] = (Transpose(OnnxGraphIndex.Floats(t), (int)t.Dims[0], (int)t.Dims[1]), [t.Dims[1], t.Dims[0]]);
        }
    }

    // The writer (and Trainers' BertModel) compute BERT's exact erf GELU; a graph with the tanh approximation or another
    // activation would read as the same weights and compute something else.
    private static void CheckActivation(OnnxGraphIndex index, int layers, string source)
    {
        int exact = index.Graph.Node.Count(n => n.OpType is "Erf" || (n.Domain == "com.microsoft" && n.OpType is "Gelu" or "BiasGelu"));
        if (exact < layers)
        {
            throw new FormatException(
                $"{source}: expected one exact (erf) GELU per layer ({layers} layers), found {exact}; the feed-forward activation is not BERT's.");
        }
    }

    private static bool LooksLikeParameterName(string name) =>
        name.StartsWith("embeddings.", StringComparison.Ordinal) || name.StartsWith("encoder.", StringComparison.Ordinal) ||
        name.StartsWith("pooler.", StringComparison.Ordinal);

    private static float[] Transpose(float[] data, int rows, int cols)
    {
        var result = new float[data.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                result[c * rows + r] = data[r * cols + c];
        return result;
    }

    private static BertConfig InferConfig(OnnxGraphIndex index, Dictionary<string, (float[] Data, long[] Shape)> weights, string source)
    {
        long[] Shape(string name) => weights.TryGetValue(name, out var w) ? w.Shape
            : throw new FormatException($"{source}: the graph has no initializer '{name}'; is it a BERT-family encoder?");

        long[] word = Shape("embeddings.word_embeddings.weight");
        int hidden = (int)word[1];
        int layers = 0;
        while (weights.ContainsKey($"encoder.layer.{layers}.attention.self.query.bias"))
            layers++;
        if (layers == 0)
            throw new FormatException($"{source}: no 'encoder.layer.0.attention.self.query.bias' initializer found.");

        var heads = new int[layers];
        int headSize = 0;
        for (int i = 0; i < layers; i++)
        {
            string queryBias = $"encoder.layer.{i}.attention.self.query.bias";
            int width = (int)Shape(queryBias)[0];
            (int h, int d) = HeadsOf(index, queryBias, source);
            if (h * d != width)
                throw new FormatException($"{source}: layer {i} reshapes its {width}-wide query into {h} heads of {d}.");
            heads[i] = h;
            headSize = d;
        }

        return new BertConfig
        {
            VocabSize = (int)word[0],
            HiddenSize = hidden,
            HeadsPerLayer = heads,
            HeadSize = headSize,
            IntermediateSize = (int)Shape("encoder.layer.0.intermediate.dense.bias")[0],
            MaxPositionEmbeddings = (int)Shape("embeddings.position_embeddings.weight")[0],
            TypeVocabSize = (int)Shape("embeddings.token_type_embeddings.weight")[0],
            LayerNormEps = LayerNormEpsilon(index) ?? 1e-12,
            ExpanderSize = weights.TryGetValue("encoder.layer.0.attention.output.expander.dense_in.bias", out var expander) ? (int)expander.Shape[0] : 0,
        };
    }

    // The query projection feeds a Reshape to [batch, seq, heads, headSize]; the shape is a constant or a Concat of
    // (batch, seq, heads, headSize) pieces, the last two constant.
    private static (int Heads, int HeadSize) HeadsOf(OnnxGraphIndex index, string queryBias, string source)
    {
        // A fused graph: the Attention node on the packed weight carries num_heads.
        string packedBias = queryBias[..^"query.bias".Length] + "qkv.bias";
        if (index.Consumers(packedBias).FirstOrDefault(n => n.OpType == "Attention") is { } attention &&
            attention.Attribute.FirstOrDefault(a => a.Name == "num_heads") is { } numHeads &&
            index.TryGetConstant(packedBias, out TensorProto packed))
        {
            int width = (int)packed.Dims[0] / 3;
            return ((int)numHeads.I, width / (int)numHeads.I);
        }
        foreach (NodeProto add in index.Consumers(queryBias).Where(n => n.OpType == "Add"))
        {
            foreach (NodeProto reshape in index.Consumers(add.Output[0]).Where(n => n.OpType == "Reshape"))
            {
                string shapeName = reshape.Input[1];
                if (index.TryGetConstant(shapeName, out TensorProto shape))
                {
                    long[] dims = OnnxGraphIndex.Longs(shape);
                    if (dims.Length == 4)
                        return ((int)dims[2], (int)dims[3]);
                }
                if (index.Producer(shapeName) is { OpType: "Concat" } concat && concat.Input.Count == 4 &&
                    index.TryGetConstant(concat.Input[2], out TensorProto h) && index.TryGetConstant(concat.Input[3], out TensorProto d))
                    return ((int)OnnxGraphIndex.Longs(h)[0], (int)OnnxGraphIndex.Longs(d)[0]);
            }
        }
        throw new FormatException($"{source}: cannot find the head count of '{queryBias}' (no Reshape to [batch, seq, heads, size] after it).");
    }

    // LayerNorm decomposed as ... ReduceMean -> Add(eps) -> Sqrt; or a LayerNormalization node with an epsilon attribute.
    private static double? LayerNormEpsilon(OnnxGraphIndex index)
    {
        foreach (NodeProto node in index.Graph.Node)
        {
            if (node.OpType == "LayerNormalization")
                return node.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5;
            if (node.OpType == "Sqrt" && index.Producer(node.Input[0]) is { OpType: "Add" } add)
            {
                foreach (string input in add.Input)
                    if (index.TryGetConstant(input, out TensorProto eps) && eps.DataType == (int)TensorProto.Types.DataType.Float)
                        return OnnxGraphIndex.Floats(eps)[0];
            }
        }
        return null;
    }
}
