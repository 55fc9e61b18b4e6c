using Microsoft.ML.OnnxRuntime;

namespace MLNetExt.Transforms;

/// <summary>
/// Runs one padded batch through the shared session with buffers owned by one cursor: the int64 inputs and the float
/// outputs are reused from batch to batch and handed to ONNX Runtime as <see cref="OrtValue"/>s over pinned memory,
/// so a batch allocates nothing proportional to its size.
/// </summary>
/// <remarks>
/// It fetches the last hidden state when <c>readsHiddenStates</c> is set, and every one of the session's
/// <see cref="EncoderSession.ExtraOutputs"/>; after <see cref="Run"/> they are read with <see cref="HiddenStates"/>
/// and <see cref="Extra"/> until the next call.
/// </remarks>
internal sealed class BatchEncoder : IDisposable
{
    private readonly EncoderSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly bool _readsHiddenStates;
    private readonly string[] _outputNames;
    private readonly float[][] _outputs;
    private readonly int[] _outputSizes;
    private long[] _ids = Array.Empty<long>();
    private long[] _mask = Array.Empty<long>();
    private long[] _types = Array.Empty<long>();

    public BatchEncoder(EncoderSession session, bool readsHiddenStates = true)
    {
        _session = session;
        _readsHiddenStates = readsHiddenStates;
        var names = new List<string>();
        if (readsHiddenStates)
            names.Add(session.OutputName);
        names.AddRange(session.ExtraOutputs.Select(o => o.Name));
        if (names.Count == 0)
            throw new ArgumentException("A batch must read at least one output of the graph.", nameof(readsHiddenStates));
        _outputNames = names.ToArray();
        _outputs = new float[_outputNames.Length][];
        Array.Fill(_outputs, Array.Empty<float>());
        _outputSizes = new int[_outputNames.Length];
    }

    /// <summary>Width of the last hidden state.</summary>
    public int Hidden => _session.Hidden;

    /// <summary>Rows of the last batch.</summary>
    public int Rows { get; private set; }

    /// <summary>Padded token count of the last batch.</summary>
    public int Length { get; private set; }

    /// <summary>The last batch's last hidden states, rows x <see cref="Length"/> x hidden.</summary>
    public ReadOnlySpan<float> HiddenStates => _readsHiddenStates
        ? _outputs[0].AsSpan(0, _outputSizes[0])
        : throw new InvalidOperationException("This batch encoder does not read the last hidden state.");

    /// <summary>The last batch's values of <see cref="EncoderSession.ExtraOutputs"/>[<paramref name="index"/>], rows x (<see cref="Length"/> x) width.</summary>
    public ReadOnlySpan<float> Extra(int index)
    {
        int slot = index + (_readsHiddenStates ? 1 : 0);
        return _outputs[slot].AsSpan(0, _outputSizes[slot]);
    }

    /// <summary>The last dimension of <see cref="EncoderSession.ExtraOutputs"/>[<paramref name="index"/>].</summary>
    public int ExtraWidth(int index) => _session.ExtraOutputs[index].Width;

    /// <summary>Encodes the rows; read the outputs through <see cref="HiddenStates"/> and <see cref="Extra"/>.</summary>
    public void Run(IReadOnlyList<TokenizedText> rows)
    {
        int batch = rows.Count;
        int length = TokenizedBatch.LongestOf(rows);
        int cells = batch * length;
        Grow(ref _ids, cells);
        Grow(ref _mask, cells);
        Grow(ref _types, cells);
        TokenizedBatch.Fill(rows, length, _ids, _mask, _types);

        long[] shape = { batch, length };
        using var idsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _ids.AsMemory(0, cells), shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _mask.AsMemory(0, cells), shape);
        using var typesValue = _session.HasTokenTypes
            ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _types.AsMemory(0, cells), shape)
            : null;
        OrtValue[] inputs = typesValue is null ? new[] { idsValue, maskValue } : new[] { idsValue, maskValue, typesValue };

        var outputs = new OrtValue[_outputNames.Length];
        try
        {
            for (int o = 0; o < outputs.Length; o++)
            {
                (bool perToken, int width) = Shape(o);
                long[] dims = perToken ? new long[] { batch, length, width } : new long[] { batch, width };
                int size = batch * (perToken ? length : 1) * width;
                Grow(ref _outputs[o], size);
                _outputSizes[o] = size;
                outputs[o] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _outputs[o].AsMemory(0, size), dims);
            }
            _session.Run(_runOptions, inputs, _outputNames, outputs);
        }
        finally
        {
            foreach (OrtValue? value in outputs)
                value?.Dispose();
        }
        Rows = batch;
        Length = length;
    }

    private (bool PerToken, int Width) Shape(int slot)
    {
        if (_readsHiddenStates && slot == 0)
            return (true, _session.Hidden);
        EncoderGraphOutput output = _session.ExtraOutputs[slot - (_readsHiddenStates ? 1 : 0)];
        return (output.PerToken, output.Width);
    }

    private static void Grow<T>(ref T[] buffer, int size)
    {
        if (buffer.Length < size)
            buffer = new T[size];
    }

    public void Dispose() => _runOptions.Dispose();
}
