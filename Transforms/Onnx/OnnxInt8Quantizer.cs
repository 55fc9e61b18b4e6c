using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// Dynamic int8 quantisation of an ONNX graph's weights, on the graph itself: every MatMul whose second input is a
/// constant 2-D float weight becomes ONNX Runtime's <c>com.microsoft.DynamicQuantizeMatMul</c> (a following bias Add is
/// folded in), and every <c>com.microsoft.Attention</c> becomes <c>DynamicQuantizeLinear</c> + <c>QAttention</c>.
/// Weights are stored as symmetric int8 (zero point 0) with one scale per output column or per tensor; activations are
/// quantised to uint8 at run time, which is the u8 x s8 product ONNX Runtime's MLAS kernels run with VNNI/AMX.
/// </summary>
/// <remarks>
/// Scales are max|w| / 127 (or / 63 with reduced range: on AVX2 without VNNI, MLAS adds pairs of u8 x s8 products in
/// 16 bits, which 7-bit weights cannot overflow). The input graph is not changed; a copy is returned.
/// </remarks>
internal static class OnnxInt8Quantizer
{
    private const string Ort = "com.microsoft";

    public static (ModelProto Graph, List<QuantizedOperator> Quantized, List<string> Skipped) Quantize(ModelProto model, bool perChannel, bool reduceRange)
    {
        ModelProto result = model.Clone();
        GraphProto graph = result.Graph;
        var index = new OnnxGraphIndex(graph);
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var quantizedWeights = new Dictionary<string, (string Weight, string Scale, string ZeroPoint)>(StringComparer.Ordinal);
        var quantized = new List<QuantizedOperator>();
        var skipped = new List<string>();
        var removed = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        var replacements = new Dictionary<NodeProto, NodeProto[]>(ReferenceEqualityComparer.Instance);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        float levels = reduceRange ? 63f : 127f;

        (string Weight, string Scale, string ZeroPoint) QuantizedWeight(TensorProto weight, bool perColumn)
        {
            string key = weight.Name + (perColumn ? "/column" : "/tensor");
            if (quantizedWeights.TryGetValue(key, out var known))
                return known;
            int rows = (int)weight.Dims[0], cols = (int)weight.Dims[1];
            (sbyte[] q, float[] scales) = QuantizeColumns(OnnxGraphIndex.Floats(weight), rows, cols, perColumn, levels);
            string baseName = weight.Name + (perColumn ? "_int8" : "_int8_tensor");
            var qTensor = new TensorProto { Name = baseName, DataType = (int)TensorProto.Types.DataType.Int8, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(q.AsSpan())) };
            qTensor.Dims.AddRange([rows, cols]);
            var scaleTensor = new TensorProto { Name = baseName + "_scale", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(scales.AsSpan())) };
            var zeroTensor = new TensorProto { Name = baseName + "_zero_point", DataType = (int)TensorProto.Types.DataType.Int8, RawData = ByteString.CopyFrom(new byte[scales.Length]) };
            if (perColumn)
            {
                scaleTensor.Dims.Add(cols);
                zeroTensor.Dims.Add(cols);
            }
            graph.Initializer.Add(qTensor);
            graph.Initializer.Add(scaleTensor);
            graph.Initializer.Add(zeroTensor);
            return quantizedWeights[key] = (qTensor.Name, scaleTensor.Name, zeroTensor.Name);
        }

        foreach (NodeProto node in graph.Node.ToArray())
        {
            if (removed.Contains(node))
                continue;
            if (node.OpType == "MatMul" && node.Domain is "" or "ai.onnx" && node.Input.Count == 2 &&
                initializers.TryGetValue(node.Input[1], out TensorProto? weight) && IsFloatMatrix(weight))
            {
                int cols = (int)weight.Dims[1];
                (string q, string scale, string zero) = QuantizedWeight(weight, perChannel);
                string output = node.Output[0];
                string bias = "";
                IReadOnlyList<NodeProto> consumers = index.Consumers(output);
                if (!graphOutputs.Contains(output) && consumers.Count == 1 && consumers[0] is { OpType: "Add", Input.Count: 2 } add &&
                    !removed.Contains(add) && add.Input.IndexOf(output) is int at and >= 0 &&
                    initializers.TryGetValue(add.Input[1 - at], out TensorProto? b) && b.DataType == (int)TensorProto.Types.DataType.Float &&
                    b.Dims.Count == 1 && b.Dims[0] == cols)
                {
                    bias = b.Name;
                    output = add.Output[0];
                    removed.Add(add);
                }
                var dq = new NodeProto { OpType = "DynamicQuantizeMatMul", Domain = Ort, Name = node.Name.Length > 0 ? node.Name + "_int8" : output + "_int8" };
                dq.Input.AddRange(bias.Length > 0 ? [node.Input[0], q, scale, zero, bias] : [node.Input[0], q, scale, zero]);
                dq.Output.Add(output);
                replacements[node] = [dq];
                quantized.Add(new QuantizedOperator(dq.Name, "MatMul", dq.OpType, weight.Name, (int)weight.Dims[0], cols, perChannel, bias.Length > 0));
            }
            else if (node.OpType == "Attention" && node.Domain == Ort)
            {
                if (QuantizableAttention(node, initializers) is not { } why)
                {
                    TensorProto w = initializers[node.Input[1]];
                    (string q, string scale, string zero) = QuantizedWeight(w, perChannel);
                    string prefix = node.Name.Length > 0 ? node.Name : node.Output[0];
                    var quantizeInput = new NodeProto { OpType = "DynamicQuantizeLinear", Name = prefix + "_quantize_input" };
                    quantizeInput.Input.Add(node.Input[0]);
                    quantizeInput.Output.AddRange([prefix + "_input_uint8", prefix + "_input_scale", prefix + "_input_zero_point"]);
                    var attention = new NodeProto { OpType = "QAttention", Domain = Ort, Name = prefix + "_int8" };
                    attention.Input.AddRange([quantizeInput.Output[0], q, node.Input[2], quantizeInput.Output[1], scale,
                        node.Input.Count > 3 ? node.Input[3] : "", quantizeInput.Output[2], zero]);
                    attention.Output.Add(node.Output[0]);
                    attention.Attribute.AddRange(node.Attribute.Where(a => a.Name is "num_heads" or "unidirectional"));
                    replacements[node] = [quantizeInput, attention];
                    quantized.Add(new QuantizedOperator(attention.Name, "Attention", attention.OpType, w.Name, (int)w.Dims[0], (int)w.Dims[1], perChannel, BiasFolded: true));
                }
                else
                {
                    skipped.Add($"{node.Name} (Attention): {why}; it stays fp32.");
                }
            }
        }

        var nodes = new List<NodeProto>(graph.Node.Count);
        foreach (NodeProto node in graph.Node)
        {
            if (replacements.TryGetValue(node, out NodeProto[]? with))
                nodes.AddRange(with);
            else if (!removed.Contains(node))
                nodes.Add(node);
        }
        graph.Node.Clear();
        graph.Node.AddRange(nodes);

        // Float weights no node reads any more go; a weight also read elsewhere (tied) stays.
        var used = graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        foreach (TensorProto t in graph.Initializer.ToArray())
            if (!used.Contains(t.Name) && !graph.Output.Any(o => o.Name == t.Name))
                graph.Initializer.Remove(t);
        if (quantized.Count > 0 && !result.OpsetImport.Any(o => o.Domain == Ort))
            result.OpsetImport.Add(new OperatorSetIdProto { Domain = Ort, Version = 1 });
        return (result, quantized, skipped);
    }

    /// <summary>Null when ONNX Runtime's QAttention computes what the Attention node does; otherwise why not.</summary>
    private static string? QuantizableAttention(NodeProto node, Dictionary<string, TensorProto> initializers)
    {
        if (node.Input.Count < 3 || !initializers.TryGetValue(node.Input[1], out TensorProto? w) || !IsFloatMatrix(w))
            return "its weight is not a constant float matrix";
        if (node.Input.Count > 4 && node.Input.Skip(4).Any(i => i.Length > 0))
            return "it has past state or an attention bias, which QAttention does not take";
        if (node.Attribute.FirstOrDefault(a => a.Name is not ("num_heads" or "unidirectional" or "mask_filter_value")) is { } extra)
            return $"it has the attribute '{extra.Name}', which QAttention does not take";
        if (node.Attribute.FirstOrDefault(a => a.Name == "mask_filter_value") is { } filter && filter.F != BertConfig.MaskedAttentionScore)
            return $"its mask_filter_value is {filter.F}, QAttention's is {BertConfig.MaskedAttentionScore}";
        return null;
    }

    private static bool IsFloatMatrix(TensorProto t) => t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == 2;

    /// <summary>Symmetric int8 codes of a row-major [rows, cols] matrix with one scale per column (or one for all).</summary>
    internal static (sbyte[] Codes, float[] Scales) QuantizeColumns(float[] w, int rows, int cols, bool perColumn, float levels)
    {
        var max = new float[perColumn ? cols : 1];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                int s = perColumn ? c : 0;
                max[s] = Math.Max(max[s], Math.Abs(w[r * cols + c]));
            }
        float[] scales = max.Select(m => m > 0 ? m / levels : 1f).ToArray();
        var codes = new sbyte[w.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                float scale = scales[perColumn ? c : 0];
                codes[r * cols + c] = (sbyte)Math.Clamp(MathF.Round(w[r * cols + c] / scale, MidpointRounding.ToEven), -levels, levels);
            }
        return (codes, scales);
    }
}
