using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Runtime;

namespace MLNetExt.Transforms;

/// <summary>
/// The ONNX Runtime session of one fitted transformer, shared by all its cursors (<see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue})"/> is thread-safe),
/// with the graph checked to look like a BERT-family encoder.
/// </summary>
internal sealed class EncoderSession : IDisposable
{
    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string TokenTypeIds = "token_type_ids";

    private EncoderSession(InferenceSession session, string outputName, bool hasTokenTypes, int hidden, string provider)
    {
        Session = session;
        OutputName = outputName;
        HasTokenTypes = hasTokenTypes;
        Hidden = hidden;
        Provider = provider;
        InputNames = hasTokenTypes ? new[] { InputIds, AttentionMask, TokenTypeIds } : new[] { InputIds, AttentionMask };
        _gate = new NativeCallGate(session.Dispose, nameof(TextEncoderTransformer),
            "This EncodeText transformer was disposed, which released its ONNX Runtime session; fit or load the pipeline again.");
    }

    private readonly NativeCallGate _gate;

    public InferenceSession Session { get; }

    public string OutputName { get; }

    public string[] InputNames { get; }

    public bool HasTokenTypes { get; }

    public int Hidden { get; }

    /// <summary>The execution provider in use: <c>CPU</c> or <c>CUDA:&lt;device&gt;</c>.</summary>
    public string Provider { get; }

    public static EncoderSession Open(EncoderModel model, TextEncoderSettings settings, IHostEnvironment environment, IChannel channel)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = settings.GraphOptimizationLevel };
        if (settings.IntraOpThreads is int threads)
            options.IntraOpNumThreads = threads;
        string provider = ChooseProvider(options, settings.ExecutionProvider, (environment as MLContext)?.GpuDeviceId, channel);

        InferenceSession session = model.CreateSession(options);
        try
        {
            return Check(session, model, provider);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static string ChooseProvider(SessionOptions options, EncoderExecutionProvider wanted, int? gpuDevice, IChannel channel)
    {
        bool tryCuda = wanted == EncoderExecutionProvider.Cuda || (wanted == EncoderExecutionProvider.Auto && gpuDevice.HasValue);
        if (!tryCuda)
        {
            channel.Info(MessageSensitivity.None, "EncodeText runs on the CPU execution provider.");
            return "CPU";
        }
        int device = gpuDevice ?? 0;
        string[] available = OrtEnv.Instance().GetAvailableProviders();
        string? failure = null;
        if (available.Contains("CUDAExecutionProvider"))
        {
            try
            {
                options.AppendExecutionProvider_CUDA(device);
                channel.Info(MessageSensitivity.None, $"EncodeText runs on the CUDA execution provider, device {device}.");
                return $"CUDA:{device}";
            }
            catch (OnnxRuntimeException ex)
            {
                failure = ex.Message;
            }
        }
        string reason = failure ?? $"ONNX Runtime's CUDA provider is not present (available: {string.Join(", ", available)}; " +
            "reference Microsoft.ML.OnnxRuntime.Gpu.Linux instead of Microsoft.ML.OnnxRuntime for it)";
        if (wanted == EncoderExecutionProvider.Cuda)
            throw new InvalidOperationException($"EncodeText was asked to run on CUDA device {device}, but {reason}.");
        channel.Warning(MessageSensitivity.None, $"MLContext.GpuDeviceId is {device}, but {reason}; EncodeText runs on the CPU.");
        return "CPU";
    }

    private static EncoderSession Check(InferenceSession session, EncoderModel model, string provider)
    {
        var inputs = session.InputMetadata;
        bool idsOk = inputs.TryGetValue(InputIds, out var ids) && IsTokenMatrix(ids);
        bool maskOk = inputs.TryGetValue(AttentionMask, out var mask) && IsTokenMatrix(mask);
        bool typesOk = !inputs.TryGetValue(TokenTypeIds, out var types) || IsTokenMatrix(types);
        bool noOthers = inputs.Keys.All(k => k is InputIds or AttentionMask or TokenTypeIds);

        var outputs = session.OutputMetadata;
        string? output = outputs.ContainsKey("last_hidden_state") && IsHiddenStates(outputs["last_hidden_state"])
            ? "last_hidden_state"
            : outputs.FirstOrDefault(o => IsHiddenStates(o.Value)).Key;
        if (!(idsOk && maskOk && typesOk && noOthers) || output is null)
        {
            throw new InvalidDataException(
                $"{model.OnnxPath}: the ONNX graph does not look like a text encoder. Expected inputs input_ids and " +
                "attention_mask (int64, batch x sequence) and optionally token_type_ids, and a float output of shape " +
                "batch x sequence x hidden (named last_hidden_state); got inputs " + Describe(inputs) + " and outputs " + Describe(outputs) + ".");
        }
        int graphHidden = (int)outputs[output].Dimensions[2];
        if (graphHidden > 0 && graphHidden != model.Config.HiddenSize)
        {
            throw new InvalidDataException(
                $"{model.OnnxPath}: the graph's output '{output}' has hidden size {graphHidden}, but config.json says hidden_size {model.Config.HiddenSize}.");
        }
        return new EncoderSession(session, output, inputs.ContainsKey(TokenTypeIds), model.Config.HiddenSize, provider);
    }

    private static bool IsTokenMatrix(NodeMetadata node) =>
        node.IsTensor && node.ElementType == typeof(long) && node.Dimensions.Length == 2;

    private static bool IsHiddenStates(NodeMetadata node) =>
        node.IsTensor && node.ElementType == typeof(float) && node.Dimensions.Length == 3;

    private static string Describe(IReadOnlyDictionary<string, NodeMetadata> nodes) => nodes.Count == 0
        ? "(none)"
        : string.Join(", ", nodes.Select(n => $"{n.Key} ({(n.Value.IsTensor ? n.Value.ElementType.Name : n.Value.OnnxValueType.ToString())}, [{string.Join(" x ", n.Value.Dimensions)}])"));

    /// <summary>Whether <see cref="Dispose"/> was called.</summary>
    public bool IsDisposed => _gate.IsClosed;

    /// <summary>Runs the graph inside the gate, so that a concurrent <see cref="Dispose"/> waits for this call to end.</summary>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public void Run(RunOptions options, IReadOnlyCollection<OrtValue> inputs, string[] outputNames, IReadOnlyCollection<OrtValue> outputs)
    {
        using NativeCallGate.Call call = _gate.Enter();
        Session.Run(options, InputNames, inputs, outputNames, outputs);
    }

    /// <summary>
    /// Throws when the session was released: ONNX Runtime would otherwise read freed native memory and end the
    /// process instead of raising an exception.
    /// </summary>
    public void ThrowIfDisposed() => _gate.ThrowIfClosed();

    /// <summary>Refuses new runs; the native session is released now, or when the last run in progress ends.</summary>
    public void Dispose() => _gate.Close();
}
