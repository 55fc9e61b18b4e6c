using Microsoft.ML.OnnxRuntime;

namespace MLNetExt.Transforms;

/// <summary>
/// Runs one padded batch through the shared session with buffers owned by one cursor: the int64 inputs and the float
/// output are reused from batch to batch and handed to ONNX Runtime as <see cref="OrtValue"/>s over pinned memory,
/// so a batch allocates nothing proportional to its size.
/// </summary>
internal sealed class BatchEncoder : IDisposable
{
    private readonly EncoderSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _outputNames;
    private long[] _ids = Array.Empty<long>();
    private long[] _mask = Array.Empty<long>();
    private long[] _types = Array.Empty<long>();
    private float[] _states = Array.Empty<float>();

    public BatchEncoder(EncoderSession session)
    {
        _session = session;
        _outputNames = new[] { session.OutputName };
    }

    /// <summary>
    /// Encodes the rows and returns the last layer's states as batch x <paramref name="length"/> x hidden, valid until the next call.
    /// </summary>
    public ReadOnlySpan<float> Run(IReadOnlyList<TokenizedText> rows, out int length)
    {
        int batch = rows.Count;
        length = 0;
        foreach (TokenizedText row in rows)
            length = Math.Max(length, row.Length);
        int cells = batch * length;
        int hidden = _session.Hidden;
        Grow(ref _ids, cells);
        Grow(ref _mask, cells);
        Grow(ref _types, cells);
        Grow(ref _states, cells * hidden);

        Span<long> ids = _ids.AsSpan(0, cells), mask = _mask.AsSpan(0, cells), types = _types.AsSpan(0, cells);
        ids.Clear();
        mask.Clear();
        types.Clear();
        for (int r = 0; r < batch; r++)
        {
            TokenizedText row = rows[r];
            int offset = r * length;
            for (int t = 0; t < row.Length; t++)
            {
                ids[offset + t] = row.Ids[t];
                mask[offset + t] = 1;
                if (t >= row.FirstSegmentLength)
                    types[offset + t] = 1;
            }
        }

        long[] shape = { batch, length };
        using var idsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _ids.AsMemory(0, cells), shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _mask.AsMemory(0, cells), shape);
        using var typesValue = _session.HasTokenTypes
            ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _types.AsMemory(0, cells), shape)
            : null;
        using var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _states.AsMemory(0, cells * hidden), new long[] { batch, length, hidden });
        OrtValue[] inputs = typesValue is null ? new[] { idsValue, maskValue } : new[] { idsValue, maskValue, typesValue };
        _session.Run(_runOptions, inputs, _outputNames, new[] { output });
        return _states.AsSpan(0, cells * hidden);
    }

    private static void Grow<T>(ref T[] buffer, int size)
    {
        if (buffer.Length < size)
            buffer = new T[size];
    }

    public void Dispose() => _runOptions.Dispose();
}
