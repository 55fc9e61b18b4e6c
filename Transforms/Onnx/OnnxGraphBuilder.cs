using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace MLNetExt.Transforms.Onnx;

/// <summary>Appends nodes and initializers to an ONNX graph under generated unique tensor names.</summary>
internal sealed class OnnxGraphBuilder
{
    private int _counter;

    public GraphProto Graph { get; } = new() { Name = "bert" };

    public string Name(string hint) => $"{hint}_{_counter++}";

    public string Floats(string name, float[] data, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan())) };
        tensor.Dims.AddRange(dims);
        Graph.Initializer.Add(tensor);
        return name;
    }

    public string Longs(string name, long[] data, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan())) };
        tensor.Dims.AddRange(dims);
        Graph.Initializer.Add(tensor);
        return name;
    }

    public string Scalar(float value) => Floats(Name("scalar"), [value]);

    /// <summary>A rank-0 float constant (what Range takes).</summary>
    public string Scalar0(float value) => Floats(Name("scalar0"), [value]);

    /// <summary>Adds a node; returns the name of its (single) output, <paramref name="output"/> when given.</summary>
    public string Node(string opType, string[] inputs, string? output = null, params AttributeProto[] attributes) =>
        DomainNode("", opType, inputs, output, attributes);

    /// <summary>Adds a node of an operator set other than the default one (e.g. ONNX Runtime's <c>com.microsoft</c>).</summary>
    public string DomainNode(string domain, string opType, string[] inputs, string? output = null, params AttributeProto[] attributes)
    {
        output ??= Name(opType);
        var node = new NodeProto { OpType = opType, Domain = domain, Name = Name(opType + "_node") };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static ValueInfoProto TensorInfo(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (object d in dims)
            shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, CultureInfo.InvariantCulture) });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
