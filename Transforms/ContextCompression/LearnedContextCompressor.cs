using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using MLNetExt.Transforms.Onnx;

namespace MLNetExt.Transforms;

/// <summary>
/// A trained ARC-style context compressor (<see cref="ContextCompressionMethod.Learned"/>): an encoder without its last
/// layer (<see cref="Encoder"/>, served like any encoder) and, on ONNX Runtime, that last layer with pooled queries
/// followed by an MLP projector to <see cref="Dimension"/> floats per vector. Trained by MLNetExt.Trainers'
/// <c>TrainContextCompressor</c>; served by <c>CompressContext</c> with <see cref="CompressContextOptions.Compressor"/>.
/// </summary>
/// <remarks>
/// <para>Folder layout (<see cref="Load"/>, <see cref="Save"/>): the encoder's <c>config.json</c>, <c>model.onnx</c>
/// and <c>vocab.txt</c> (so the folder also loads as an <see cref="EncoderModel"/>), <c>compressor.onnx</c> (the pooled
/// layer and projector, see <see cref="OnnxContextCompressorWriter"/>) and <c>compressor.json</c>
/// (<c>{ "format": "mlnetext-learned-context-compressor", "version": 1, "hiddenSize", "dimension", "trainedRatio" }</c>).</para>
/// <para>Groups are consecutive word pieces, as <see cref="ContextCompressionMethod.Mean"/> forms them; <c>[CLS]</c>
/// and <c>[SEP]</c> are attended to but never pooled. The instance owns an ONNX Runtime session opened on first use;
/// <see cref="Compress"/> and <see cref="CompressBatch"/> (several texts per session run) are safe to call from several threads.</para>
/// </remarks>
public sealed class LearnedContextCompressor : IDisposable
{
    /// <summary>The compressor graph's file name.</summary>
    public const string GraphFileName = "compressor.onnx";

    /// <summary>The compressor description's file name.</summary>
    public const string InfoFileName = "compressor.json";

    private const string Format = "mlnetext-learned-context-compressor";
    private const int Version = 1;

    private readonly byte[] _graph;
    private readonly Lazy<InferenceSession> _session;
    private readonly NativeCallGate _gate;

    private LearnedContextCompressor(EncoderModel encoder, byte[] graph, int dimension, int? trainedRatio, string source)
    {
        Encoder = encoder;
        _graph = graph;
        Dimension = dimension;
        TrainedRatio = trainedRatio;
        Source = source;
        _session = new Lazy<InferenceSession>(() => new InferenceSession(graph), LazyThreadSafetyMode.ExecutionAndPublication);
        _gate = new NativeCallGate(() =>
        {
            if (_session.IsValueCreated)
                _session.Value.Dispose();
        }, nameof(LearnedContextCompressor), "This learned context compressor was disposed, which released its ONNX Runtime session; load it again.");
    }

    /// <summary>The encoder whose output (before the compressor's layer) feeds the compressor.</summary>
    public EncoderModel Encoder { get; }

    /// <summary>Floats per compressed vector (the projector's width).</summary>
    public int Dimension { get; }

    /// <summary>The ratio it was trained at, when known (any of 1, 2, 4, 8 or a fixed count may be served).</summary>
    public int? TrainedRatio { get; }

    /// <summary>Where it was loaded from (for messages).</summary>
    public string Source { get; }

    internal byte[] GraphBytes => _graph;

    /// <summary>Wraps a trained compressor graph (from MLNetExt.Trainers).</summary>
    /// <exception cref="InvalidDataException">The graph is not a compressor graph over the encoder's hidden size.</exception>
    internal static LearnedContextCompressor Create(EncoderModel encoder, byte[] graph, int? trainedRatio, string source)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(graph);
        int dimension = CheckGraph(graph, encoder.Config.HiddenSize, source);
        return new LearnedContextCompressor(encoder, graph, dimension, trainedRatio, source);
    }

    /// <summary>A second instance over the same weights with its own session (a transformer owns and disposes its copy).</summary>
    internal LearnedContextCompressor Reopen() => new(Encoder, _graph, Dimension, TrainedRatio, Source);

    /// <summary>Loads a compressor folder written by <see cref="Save"/> (or by <c>mlnetext train context-compressor</c>).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">compressor.onnx or compressor.json is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or does not fit the encoder; the message names it.</exception>
    public static LearnedContextCompressor Load(string directory)
    {
        EncoderModel encoder = EncoderModel.Load(directory);
        string folder = encoder.Directory ?? Path.GetFullPath(directory);
        string graphPath = Path.Combine(folder, GraphFileName), infoPath = Path.Combine(folder, InfoFileName);
        foreach (string path in new[] { graphPath, infoPath })
            if (!File.Exists(path))
                throw new FileNotFoundException($"{folder} is an encoder folder without {Path.GetFileName(path)}; a learned context compressor folder also holds {GraphFileName} and {InfoFileName} (written by TrainContextCompressor).", path);
        int? trainedRatio = ReadInfo(File.ReadAllBytes(infoPath), infoPath, encoder.Config.HiddenSize);
        return Create(encoder, File.ReadAllBytes(graphPath), trainedRatio, folder);
    }

    /// <summary>Writes the folder that <see cref="Load"/> reads (replaced atomically).</summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        IO.AtomicFile.WriteDirectory(directory, folder =>
        {
            Encoder.WriteFiles(folder);
            File.WriteAllBytes(Path.Combine(folder, GraphFileName), _graph);
            File.WriteAllBytes(Path.Combine(folder, InfoFileName), InfoBytes());
        });
    }

    internal byte[] InfoBytes() => JsonSerializer.SerializeToUtf8Bytes(new JsonObject
    {
        ["format"] = Format,
        ["version"] = Version,
        ["hiddenSize"] = Encoder.Config.HiddenSize,
        ["dimension"] = Dimension,
        ["trainedRatio"] = TrainedRatio,
    }, IndentedJson);

    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    /// <summary>Checks compressor.json; returns the trained ratio.</summary>
    internal static int? ReadInfo(byte[] json, string source, int hidden)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: not valid JSON: {ex.Message}", ex);
        }
        if (node?["format"]?.GetValue<string>() != Format)
            throw new InvalidDataException($"{source}: expected format '{Format}', got '{node?["format"]}'.");
        int version = node["version"]?.GetValue<int>() ?? 0;
        if (version > Version)
            throw new InvalidDataException($"{source}: the compressor was saved in format version {version}; this MLNetExt reads up to version {Version}. Update MLNetExt.");
        int saved = node["hiddenSize"]?.GetValue<int>() ?? hidden;
        if (saved != hidden)
            throw new InvalidDataException($"{source}: hiddenSize is {saved}, but the encoder's config.json says {hidden}.");
        return node["trainedRatio"]?.GetValue<int?>();
    }

    private static int CheckGraph(byte[] graph, int hidden, string source)
    {
        try
        {
            var model = global::Onnx.ModelProto.Parser.ParseFrom(graph);
            var inputs = model.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            var output = model.Graph.Output.FirstOrDefault(o => o.Name == OnnxContextCompressorWriter.Vectors);
            var hiddenInput = model.Graph.Input.FirstOrDefault(i => i.Name == OnnxContextCompressorWriter.HiddenStates);
            if (output is null || hiddenInput is null || !inputs.Contains(OnnxContextCompressorWriter.Pooling) || !inputs.Contains(OnnxContextCompressorWriter.AttentionMask))
                throw new InvalidDataException($"{source}: {GraphFileName} is not a context compressor graph (inputs hidden_states, attention_mask, pooling; output vectors).");
            long graphHidden = hiddenInput.Type.TensorType.Shape.Dim[2].DimValue;
            if (graphHidden != hidden)
                throw new InvalidDataException($"{source}: {GraphFileName} takes hidden states of {graphHidden} floats, but the encoder's hidden size is {hidden}.");
            return (int)output.Type.TensorType.Shape.Dim[2].DimValue;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"{source}: {GraphFileName} is not a serialized ONNX model: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Compresses one text: <paramref name="tokenStates"/> are all its tokens' states from <see cref="Encoder"/>
    /// (<c>[CLS]</c> and <c>[SEP]</c> included, tokens x hidden, row-major); returns K x <see cref="Dimension"/> floats,
    /// K = ceil(word pieces / ratio) or the fixed count.
    /// </summary>
    /// <param name="tokenStates">The encoder's output for the text.</param>
    /// <param name="ratio">Word pieces per vector: 1, 2, 4 or 8 (ignored with <paramref name="fixedCount"/>).</param>
    /// <param name="fixedCount">A fixed K instead of a ratio.</param>
    /// <param name="normalize">Scale each vector to unit length (cosine MaxSim).</param>
    /// <exception cref="ArgumentException">The states are empty or not whole vectors of the encoder's hidden size.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is not 1, 2, 4 or 8, or the fixed count is below 1.</exception>
    /// <exception cref="ObjectDisposedException">The compressor was disposed.</exception>
    public float[] Compress(ReadOnlySpan<float> tokenStates, int ratio, int? fixedCount = null, bool normalize = true)
    {
        int tokens = TokenCount(tokenStates.Length, nameof(tokenStates));
        ContextPooling.CheckRatio(ratio, fixedCount);
        return CompressPadded(tokenStates, [tokens], tokens, ratio, fixedCount, normalize)[0];
    }

    /// <summary>
    /// Compresses several texts in one run of the compressor graph (padded to the longest text and to the largest K):
    /// the same vectors as <see cref="Compress"/> gives each text alone, in less time per text.
    /// </summary>
    /// <param name="tokenStates">Each text's token states from <see cref="Encoder"/>, as <see cref="Compress"/> takes them.</param>
    /// <param name="ratio">Word pieces per vector: 1, 2, 4 or 8 (ignored with <paramref name="fixedCount"/>).</param>
    /// <param name="fixedCount">A fixed K instead of a ratio.</param>
    /// <param name="normalize">Scale each vector to unit length (cosine MaxSim).</param>
    /// <returns>Per text, in order, K x <see cref="Dimension"/> floats.</returns>
    /// <exception cref="ArgumentException">No text is given, or a text's states are empty or not whole vectors of the
    /// encoder's hidden size; the message names the text.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is not 1, 2, 4 or 8, or the fixed count is below 1.</exception>
    /// <exception cref="ObjectDisposedException">The compressor was disposed.</exception>
    public float[][] CompressBatch(IReadOnlyList<ReadOnlyMemory<float>> tokenStates, int ratio, int? fixedCount = null, bool normalize = true)
    {
        ArgumentNullException.ThrowIfNull(tokenStates);
        if (tokenStates.Count == 0)
            throw new ArgumentException("Give at least one text's token states.", nameof(tokenStates));
        ContextPooling.CheckRatio(ratio, fixedCount);
        int hidden = Encoder.Config.HiddenSize;
        int[] counts = tokenStates.Select((states, i) => TokenCount(states.Length, $"{nameof(tokenStates)}[{i}]")).ToArray();
        int length = counts.Max();
        var padded = new float[tokenStates.Count * length * hidden];
        for (int r = 0; r < counts.Length; r++)
            tokenStates[r].Span.CopyTo(padded.AsSpan(r * length * hidden));
        return CompressPadded(padded, counts, length, ratio, fixedCount, normalize);
    }

    /// <summary>
    /// Compresses a padded batch (rows x <paramref name="length"/> x hidden, row r's first <paramref name="tokenCounts"/>[r]
    /// states real) in one session run, as an encoder batch gives it; the arguments are checked by the caller.
    /// </summary>
    internal float[][] CompressPadded(ReadOnlySpan<float> states, IReadOnlyList<int> tokenCounts, int length, int ratio, int? fixedCount, bool normalize)
    {
        int hidden = Encoder.Config.HiddenSize, rows = tokenCounts.Count;
        var groups = new int[rows];
        float[][] matrices = tokenCounts.Select((tokens, r) => ContextPooling.PoolingMatrix(tokens, ratio, fixedCount, out groups[r])).ToArray();
        int vectors = groups.Max();
        var mask = new long[rows * length];
        var pooling = new float[rows * vectors * length];
        for (int r = 0; r < rows; r++)
        {
            int tokens = tokenCounts[r];
            Array.Fill(mask, 1L, r * length, tokens);
            for (int k = 0; k < groups[r]; k++)
                Array.Copy(matrices[r], k * tokens, pooling, (r * vectors + k) * length, tokens);
        }
        float[] input = states[..(rows * length * hidden)].ToArray();
        var result = new float[rows * vectors * Dimension];

        using (var hiddenValue = OrtValue.CreateTensorValueFromMemory(input, [rows, length, hidden]))
        using (var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [rows, length]))
        using (var poolingValue = OrtValue.CreateTensorValueFromMemory(pooling, [rows, vectors, length]))
        using (var output = OrtValue.CreateTensorValueFromMemory(result, [rows, vectors, Dimension]))
        using (var runOptions = new RunOptions())
        using (NativeCallGate.Call call = _gate.Enter())
        {
            _session.Value.Run(runOptions,
                [OnnxContextCompressorWriter.HiddenStates, OnnxContextCompressorWriter.AttentionMask, OnnxContextCompressorWriter.Pooling],
                [hiddenValue, maskValue, poolingValue], [OnnxContextCompressorWriter.Vectors], [output]);
        }
        var texts = new float[rows][];
        for (int r = 0; r < rows; r++)
        {
            texts[r] = result.AsSpan(r * vectors * Dimension, groups[r] * Dimension).ToArray();
            if (normalize)
                for (int v = 0; v < groups[r]; v++)
                    SentencePooling.Normalize(texts[r].AsSpan(v * Dimension, Dimension));
        }
        return texts;
    }

    private int TokenCount(int floats, string what)
    {
        int hidden = Encoder.Config.HiddenSize;
        if (floats == 0 || floats % hidden != 0)
            throw new ArgumentException($"Expected one or more token states of {hidden} floats in {what}; got {floats} floats.", what.Split('[')[0]);
        return floats / hidden;
    }

    /// <summary>Releases the ONNX Runtime session (once calls in progress end); later calls to <see cref="Compress"/> throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _gate.Close();
}
