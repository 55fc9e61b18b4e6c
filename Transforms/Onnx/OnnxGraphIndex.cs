using System.Runtime.InteropServices;
using Onnx;

namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// Lookup tables over an ONNX graph: initializers and Constant-node values by tensor name, the node producing each
/// tensor and the nodes consuming it. The ONNX messages themselves come from OnnxSharp (generated Google.Protobuf
/// classes for onnx.proto), so no protobuf wire code is hand-written here.
/// </summary>
internal sealed class OnnxGraphIndex
{
    private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);

    public OnnxGraphIndex(GraphProto graph)
    {
        Graph = graph;
        foreach (TensorProto t in graph.Initializer)
            _constants[t.Name] = t;
        foreach (NodeProto node in graph.Node)
        {
            foreach (string output in node.Output)
                _producers[output] = node;
            foreach (string input in node.Input)
            {
                if (!_consumers.TryGetValue(input, out var list))
                    _consumers[input] = list = [];
                list.Add(node);
            }
            if (node.OpType == "Constant" && node.Attribute.FirstOrDefault(a => a.Name == "value") is { T: not null } value)
                _constants[node.Output[0]] = value.T;
        }
    }

    public GraphProto Graph { get; }

    public IEnumerable<TensorProto> Initializers => Graph.Initializer;

    public bool TryGetConstant(string name, out TensorProto tensor) => _constants.TryGetValue(name, out tensor!);

    public NodeProto? Producer(string tensor) => _producers.GetValueOrDefault(tensor);

    public IReadOnlyList<NodeProto> Consumers(string tensor) =>
        _consumers.TryGetValue(tensor, out var list) ? list : [];

    /// <summary>The float values of a constant tensor (raw little-endian bytes or the float_data field).</summary>
    public static float[] Floats(TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            throw new FormatException($"ONNX tensor '{tensor.Name}': expected FLOAT data, got data type {tensor.DataType}.");
        if (tensor.RawData.Length > 0)
            return MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
        return tensor.FloatData.ToArray();
    }

    /// <summary>The integer values of a constant tensor (int64 or int32).</summary>
    public static long[] Longs(TensorProto tensor)
    {
        if (tensor.DataType == (int)TensorProto.Types.DataType.Int64)
            return tensor.RawData.Length > 0 ? MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray() : tensor.Int64Data.ToArray();
        if (tensor.DataType == (int)TensorProto.Types.DataType.Int32)
            return tensor.RawData.Length > 0
                ? MemoryMarshal.Cast<byte, int>(tensor.RawData.Span).ToArray().Select(i => (long)i).ToArray()
                : tensor.Int32Data.Select(i => (long)i).ToArray();
        throw new FormatException($"ONNX tensor '{tensor.Name}': expected INT64 or INT32 data, got data type {tensor.DataType}.");
    }
}
