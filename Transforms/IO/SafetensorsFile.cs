using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNetExt.Transforms.IO;

/// <summary>
/// Reads and writes float32 tensors in the safetensors layout (an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw data), the format Hugging Face folders use.
/// </summary>
/// <remarks>
/// NuGet serves no reader of the format that works without libtorch (TorchSharp.PyBridge needs it), and this assembly
/// holds no libtorch, so the few lines of the layout are written here. Only F32 tensors are read and written; the
/// <c>__metadata__</c> entry is kept as string pairs.
/// </remarks>
public static class SafetensorsFile
{
    private const int MaxHeaderBytes = 100 << 20;

    /// <summary>Writes <paramref name="tensors"/> (name, row-major data, shape) atomically to <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">A tensor's data length does not match its shape.</exception>
    public static void Write(string path, IReadOnlyList<(string Name, float[] Data, long[] Shape)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header["__metadata__"] = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)JsonValue.Create(m.Value))));
        long offset = 0;
        foreach ((string name, float[] data, long[] shape) in tensors)
        {
            long elements = shape.Aggregate(1L, (a, b) => a * b);
            if (elements != data.Length)
                throw new ArgumentException($"Tensor '{name}' has {data.Length} values; its shape [{string.Join(", ", shape)}] needs {elements}.", nameof(tensors));
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(shape.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + data.Length * 4L),
            };
            offset += data.Length * 4L;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        // The data starts at a multiple of 8 bytes; the header is padded with spaces, as the reference writer does.
        int padded = (json.Length + 7) / 8 * 8;
        AtomicFile.WriteStream(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++)
                stream.WriteByte((byte)' ');
            foreach ((_, float[] data, _) in tensors)
            {
                if (BitConverter.IsLittleEndian)
                {
                    stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
                }
                else
                {
                    foreach (float value in data)
                        stream.Write(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(value))));
                }
            }
        });
    }

    /// <summary>Reads every tensor of <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a safetensors file, is cut short, or holds a tensor that is not F32.</exception>
    public static IReadOnlyDictionary<string, (float[] Data, long[] Shape)> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"No safetensors file at '{path}'.", path);
        using FileStream stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
            throw new InvalidDataException($"{path}: {stream.Length} bytes, too short for a safetensors header.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength == 0 || headerLength > MaxHeaderBytes || (long)headerLength > stream.Length - 8)
            throw new InvalidDataException($"{path}: header length {headerLength} does not fit the file ({stream.Length} bytes); not a safetensors file.");
        var json = new byte[headerLength];
        stream.ReadExactly(json);
        JsonObject header;
        try
        {
            header = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException($"{path}: empty header.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the header is not JSON ({e.Message}).", e);
        }
        long dataStart = 8 + (long)headerLength, dataLength = stream.Length - dataStart;
        var tensors = new Dictionary<string, (float[] Data, long[] Shape)>(StringComparer.Ordinal);
        foreach ((string name, JsonNode? node) in header)
        {
            if (name == "__metadata__")
                continue;
            string dtype = node?["dtype"]?.GetValue<string>() ?? "";
            if (dtype != "F32")
                throw new InvalidDataException($"{path}: tensor '{name}' is {dtype}; only F32 tensors are read.");
            long[] shape = node!["shape"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            long begin = node["data_offsets"]![0]!.GetValue<long>(), end = node["data_offsets"]![1]!.GetValue<long>();
            long elements = shape.Aggregate(1L, (a, b) => a * b);
            if (begin < 0 || end > dataLength || end - begin != elements * 4)
                throw new InvalidDataException($"{path}: tensor '{name}' spans bytes {begin}..{end} of {dataLength}; its shape [{string.Join(", ", shape)}] needs {elements * 4}.");
            var data = new float[elements];
            stream.Position = dataStart + begin;
            stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
            if (!BitConverter.IsLittleEndian)
            {
                for (int i = 0; i < data.Length; i++)
                    data[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(data[i])));
            }
            tensors[name] = (data, shape);
        }
        return tensors;
    }
}
