using System.Text;

namespace MLNetExt.UnitTests.Transforms;

/// <summary>
/// Writes minimal ONNX files by hand (protobuf wire format), for tests that need a valid graph that is not an encoder.
/// </summary>
internal static class TinyOnnxGraphs
{
    /// <summary>A graph <c>y = Identity(x)</c> over a float tensor of shape [1, 4]: valid ONNX, but not a text encoder.</summary>
    public static byte[] Identity()
    {
        byte[] shape = Message(2, Message(1, Varint(1, 1)), Message(1, Varint(1, 4)));
        byte[] tensorType = Concat(Varint(1, 1 /* FLOAT */), shape);
        byte[] type = Message(1, tensorType);
        byte[] input = Concat(Text(1, "x"), Message(2, type));
        byte[] output = Concat(Text(1, "y"), Message(2, type));
        byte[] node = Concat(Text(1, "x"), Text(2, "y"), Text(3, "identity"), Text(4, "Identity"));
        byte[] graph = Concat(Message(1, node), Text(2, "g"), Message(11, input), Message(12, output));
        byte[] opset = Concat(Text(1, ""), Varint(2, 13));
        return Concat(Varint(1, 8 /* ir_version */), Message(8, opset), Message(7, graph));
    }

    private static byte[] Varint(int field, long value) => Concat(Key(field, 0), RawVarint((ulong)value));

    private static byte[] Text(int field, string value) => Message(field, Encoding.UTF8.GetBytes(value));

    private static byte[] Message(int field, params byte[][] parts)
    {
        byte[] body = Concat(parts);
        return Concat(Key(field, 2), RawVarint((ulong)body.Length), body);
    }

    private static byte[] Key(int field, int wireType) => RawVarint((ulong)((field << 3) | wireType));

    private static byte[] RawVarint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
        return bytes.ToArray();
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
