using System.Runtime.InteropServices;
using Google.Protobuf;
using MLNetExt.Transforms.TokenPruning;
using Onnx;

namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// Reads and changes the keep schedule of a token-pruned encoder graph (<see cref="OnnxBertWriter.ToTokenPrunedBytes"/>)
/// without rebuilding it: the schedule is one float initializer, so one exported model serves every speed setting.
/// </summary>
public static class OnnxTokenKeep
{
    /// <summary>Name of the float [layers] initializer holding the schedule.</summary>
    public const string InitializerName = "token_keep";

    /// <summary>The schedule of a token-pruned graph, or null when the graph does not prune tokens.</summary>
    /// <exception cref="FormatException">The bytes are not an ONNX model.</exception>
    public static TokenKeepSchedule? Read(byte[] onnx)
    {
        TensorProto? tensor = Find(Parse(onnx));
        if (tensor is null)
            return null;
        float[] values = OnnxGraphIndex.Floats(tensor);
        return TokenKeepSchedule.Create(values.Select(v => (double)v).ToArray(), values.Length);
    }

    /// <summary>The same graph with its schedule replaced by <paramref name="schedule"/>.</summary>
    /// <exception cref="ArgumentException">The graph does not prune tokens, or the schedule has another layer count.</exception>
    public static byte[] Rewrite(byte[] onnx, TokenKeepSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ModelProto model = Parse(onnx);
        TensorProto tensor = Find(model)
            ?? throw new ArgumentException($"The graph has no '{InitializerName}' initializer: it was not written for token pruning (OnnxBertWriter.ToTokenPrunedBytes).", nameof(onnx));
        long layers = tensor.Dims.Count == 1 ? tensor.Dims[0] : -1;
        if (layers != schedule.LayerCount)
            throw new ArgumentException($"The token keep schedule ({schedule}) has {schedule.LayerCount} fractions but the graph's encoder has {layers} layers.", nameof(schedule));
        tensor.FloatData.Clear();
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(schedule.Fractions.ToArray().AsSpan()));
        return model.ToByteArray();
    }

    private static TensorProto? Find(ModelProto model) => model.Graph.Initializer.FirstOrDefault(t => t.Name == InitializerName);

    private static ModelProto Parse(byte[] onnx)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        try
        {
            return ModelProto.Parser.ParseFrom(onnx);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FormatException($"Not a valid ONNX model ({e.Message}).", e);
        }
    }
}
