using Google.Protobuf;
using MLNetExt.Trainers.Modules;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExt.Trainers.Onnx;

/// <summary>
/// Reads a BERT-family encoder out of an ONNX graph exported from PyTorch (all-MiniLM-L6-v2, arctic-embed-xs, or
/// graphs written by <see cref="OnnxBertExporter"/>): the configuration is inferred from tensor shapes and the graph
/// (heads per layer from the attention Reshape, LayerNorm epsilon from the constant before its Sqrt), and the weights
/// are mapped to Hugging Face parameter names.
/// </summary>
/// <remarks>
/// Exporters keep the PyTorch names of biases, LayerNorms and embeddings but store each Linear weight as an unnamed,
/// transposed [in, out] initializer feeding a MatMul. The importer follows the graph: for every named
/// <c>X.bias</c> consumed by an Add, the other Add input comes from a MatMul whose second input is the weight of
/// <c>X</c>; it is transposed back to PyTorch's [out, in].
/// </remarks>
public static class OnnxBertImporter
{
    /// <summary>Reads the configuration and weights (Hugging Face names, PyTorch layouts) of the ONNX model at <paramref name="path"/>.</summary>
    public static OnnxBertWeights Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"ONNX model '{path}' does not exist.", path);
        using FileStream stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads the configuration and weights of the ONNX model in <paramref name="stream"/>.</summary>
    public static OnnxBertWeights Read(Stream stream, string source = "model.onnx")
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

    internal static OnnxBertWeights Read(ModelProto model, string source)
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
        return new OnnxBertWeights(config, weights);
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

/// <summary>An encoder read from ONNX: its configuration and its weights by Hugging Face name in PyTorch layout.</summary>
public sealed class OnnxBertWeights
{
    internal OnnxBertWeights(BertConfig config, IReadOnlyDictionary<string, (float[] Data, long[] Shape)> weights)
    {
        Config = config;
        Weights = weights;
    }

    /// <summary>The inferred configuration.</summary>
    public BertConfig Config { get; }

    /// <summary>Weights by parameter name (row-major data and shape).</summary>
    public IReadOnlyDictionary<string, (float[] Data, long[] Shape)> Weights { get; }

    /// <summary>Builds a <see cref="BertModel"/> for <see cref="Config"/> and loads every parameter into it.</summary>
    /// <exception cref="FormatException">A parameter of the model has no weight of the same shape in the graph.</exception>
    public BertModel CreateModel()
    {
        var model = new BertModel(Config);
        LoadInto(model);
        return model;
    }

    /// <summary>Copies the weights into the parameters of <paramref name="model"/> (names and shapes must match).</summary>
    public void LoadInto(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var noGrad = no_grad();
        foreach ((string name, TorchSharp.Modules.Parameter parameter) in model.named_parameters())
        {
            if (!Weights.TryGetValue(name, out var w))
                throw new FormatException($"The ONNX graph has no weight for parameter '{name}'.");
            if (!w.Shape.SequenceEqual(parameter.shape))
                throw new FormatException($"Parameter '{name}': expected shape [{string.Join(", ", parameter.shape)}], the graph has [{string.Join(", ", w.Shape)}].");
            using Tensor source = tensor(w.Data, w.Shape);
            parameter.copy_(source);
        }
    }
}
