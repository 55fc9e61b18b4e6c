using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using MLNetExt.Transforms.TokenPruning;
using Onnx;

namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// Reads and changes the keep schedule of a token-pruned encoder graph (<see cref="OnnxBertWriter.ToTokenPrunedBytes"/>).
/// The graph records its schedule in the metadata entry <see cref="MetadataKey"/>; its pruning nodes read the fractions
/// from the float initializer <see cref="InitializerName"/>, so a schedule that cuts after the same layers is served by
/// changing that initializer alone (<see cref="Rewrite"/>); another one needs the graph rebuilt from its weights.
/// </summary>
public static class OnnxTokenKeep
{
    /// <summary>Name of the float [layers] initializer holding the fractions the pruning nodes read.</summary>
    public const string InitializerName = "token_keep";

    /// <summary>Key of the model metadata entry holding the schedule (<see cref="TokenKeepSchedule.ToString"/>).</summary>
    public const string MetadataKey = "token_keep";

    /// <summary>The schedule of a token-pruned graph, or null when the graph does not prune tokens.</summary>
    /// <exception cref="FormatException">The bytes are not an ONNX model, or the recorded schedule is not one.</exception>
    public static TokenKeepSchedule? Read(byte[] onnx) => Read(Parse(onnx));

    /// <summary>True when <paramref name="schedule"/> can replace the schedule of the graph by <see cref="Rewrite"/>: the graph prunes tokens and both cut after the same layers.</summary>
    /// <exception cref="FormatException">The bytes are not an ONNX model.</exception>
    public static bool CanRewrite(byte[] onnx, TokenKeepSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return Read(onnx) is { } current && current.LayerCount == schedule.LayerCount && current.PruningLayers.SequenceEqual(schedule.PruningLayers);
    }

    /// <summary>The same graph with its schedule replaced by <paramref name="schedule"/>, which must cut after the same layers.</summary>
    /// <exception cref="ArgumentException">The graph does not prune tokens, the schedule has another layer count, or it cuts
    /// after other layers than the graph (rebuild the graph with <see cref="OnnxBertWriter.ToTokenPrunedBytes"/>).</exception>
    public static byte[] Rewrite(byte[] onnx, TokenKeepSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ModelProto model = Parse(onnx);
        TokenKeepSchedule current = Read(model)
            ?? throw new ArgumentException($"The graph records no token keep schedule: it was not written for token pruning (OnnxBertWriter.ToTokenPrunedBytes).", nameof(onnx));
        if (current.LayerCount != schedule.LayerCount)
            throw new ArgumentException($"The token keep schedule ({schedule}) has {schedule.LayerCount} fractions but the graph's encoder has {current.LayerCount} layers.", nameof(schedule));
        if (!current.PruningLayers.SequenceEqual(schedule.PruningLayers))
            throw new ArgumentException($"The token keep schedule ({schedule}) cuts after layers [{string.Join(",", schedule.PruningLayers)}] but the graph ({current}) " +
                $"was built to cut after layers [{string.Join(",", current.PruningLayers)}]; rebuild it with OnnxBertWriter.ToTokenPrunedBytes.", nameof(schedule));
        if (model.Graph.Initializer.FirstOrDefault(t => t.Name == InitializerName) is { } tensor)
        {
            tensor.FloatData.Clear();
            tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(schedule.Fractions.ToArray().AsSpan()));
        }
        StringStringEntryProto? entry = model.MetadataProps.FirstOrDefault(p => p.Key == MetadataKey);
        if (entry is null)
            model.MetadataProps.Add(entry = new StringStringEntryProto { Key = MetadataKey });
        entry.Value = schedule.ToString();
        return model.ToByteArray();
    }

    private static TokenKeepSchedule? Read(ModelProto model)
    {
        if (model.MetadataProps.FirstOrDefault(p => p.Key == MetadataKey) is { } entry)
        {
            string[] parts = entry.Value.Split(',');
            try
            {
                return TokenKeepSchedule.Create(parts.Select(p => double.Parse(p, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray(), parts.Length);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new FormatException($"The graph's '{MetadataKey}' metadata '{entry.Value}' is not a token keep schedule ({e.Message}).", e);
            }
        }
        // Graphs written before the metadata entry: every layer ranks and cuts, the fractions in the initializer.
        if (model.Graph.Initializer.FirstOrDefault(t => t.Name == InitializerName) is not { } tensor)
            return null;
        float[] values = OnnxGraphIndex.Floats(tensor);
        return TokenKeepSchedule.Create(values.Select(v => (double)v).ToArray(), values.Length);
    }

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
