using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Runtime;

namespace MLNetExt.Transforms;

/// <summary>
/// The ONNX Runtime session of one fitted transformer, shared by all its cursors (<see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue})"/> is thread-safe),
/// with the graph checked to look like a BERT-family encoder: the one session wrapper of every encoder component
/// (execution provider, graph check, threads). Besides the last hidden state, a head may ask for extra float outputs
/// such as a classifier's <c>logits</c> (see <see cref="ExtraOutputs"/>).
/// </summary>
internal sealed class EncoderSession : IDisposable
{
    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string TokenTypeIds = "token_type_ids";

    private EncoderSession(InferenceSession session, string outputName, EncoderGraphOutput[] extraOutputs, bool hasTokenTypes, int hidden, string provider, EncoderRuntimeSettings runtime)
    {
        Session = session;
        OutputName = outputName;
        ExtraOutputs = extraOutputs;
        HasTokenTypes = hasTokenTypes;
        Hidden = hidden;
        Provider = provider;
        InputNames = hasTokenTypes ? new[] { InputIds, AttentionMask, TokenTypeIds } : new[] { InputIds, AttentionMask };
        _gate = new NativeCallGate(session.Dispose, runtime.TransformerName,
            $"This {runtime.Component} transformer was disposed, which released its ONNX Runtime session; fit or load the pipeline again.");
    }

    private readonly NativeCallGate _gate;

    public InferenceSession Session { get; }

    /// <summary>The last-hidden-state output (batch x sequence x hidden).</summary>
    public string OutputName { get; }

    /// <summary>The further outputs asked for when the session was opened, in that order.</summary>
    public IReadOnlyList<EncoderGraphOutput> ExtraOutputs { get; }

    public string[] InputNames { get; }

    public bool HasTokenTypes { get; }

    public int Hidden { get; }

    /// <summary>The execution provider in use: <c>CPU</c> or <c>CUDA:&lt;device&gt;</c>.</summary>
    public string Provider { get; }

    /// <summary>Opens and checks the model's graph.</summary>
    /// <param name="model">The encoder.</param>
    /// <param name="runtime">Execution provider, threads, graph optimisation.</param>
    /// <param name="environment">The MLContext (its <c>GpuDeviceId</c> drives <see cref="EncoderExecutionProvider.Auto"/>).</param>
    /// <param name="channel">Where the provider choice is logged.</param>
    /// <param name="extraOutputs">Further float outputs the caller reads, batch x width or batch x sequence x width (e.g. <c>logits</c>).</param>
    public static EncoderSession Open(EncoderModel model, EncoderRuntimeSettings runtime, IHostEnvironment environment, IChannel channel,
        IReadOnlyList<string>? extraOutputs = null)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = runtime.GraphOptimizationLevel };
        if (runtime.IntraOpThreads is int threads)
            options.IntraOpNumThreads = threads;
        string provider = ChooseProvider(options, runtime.ExecutionProvider, (environment as MLContext)?.GpuDeviceId, channel, runtime.Component);

        InferenceSession session = model.CreateSession(options);
        try
        {
            return Check(session, model, provider, extraOutputs ?? Array.Empty<string>(), runtime);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static string ChooseProvider(SessionOptions options, EncoderExecutionProvider wanted, int? gpuDevice, IChannel channel, string component)
    {
        bool tryCuda = wanted == EncoderExecutionProvider.Cuda || (wanted == EncoderExecutionProvider.Auto && gpuDevice.HasValue);
        if (!tryCuda)
        {
            channel.Info(MessageSensitivity.None, $"{component} runs on the CPU execution provider.");
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
                channel.Info(MessageSensitivity.None, $"{component} runs on the CUDA execution provider, device {device}.");
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
            throw new InvalidOperationException($"{component} was asked to run on CUDA device {device}, but {reason}.");
        channel.Warning(MessageSensitivity.None, $"MLContext.GpuDeviceId is {device}, but {reason}; {component} runs on the CPU.");
        return "CPU";
    }

    private static EncoderSession Check(InferenceSession session, EncoderModel model, string provider, IReadOnlyList<string> extraOutputs, EncoderRuntimeSettings runtime)
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
        if (graphHidden > 0 && model.Config.HiddenSize > 0 && graphHidden != model.Config.HiddenSize)
        {
            throw new InvalidDataException(
                $"{model.OnnxPath}: the graph's output '{output}' has hidden size {graphHidden}, but config.json says hidden_size {model.Config.HiddenSize}.");
        }
        int hidden = model.Config.HiddenSize > 0 ? model.Config.HiddenSize : graphHidden;
        if (hidden <= 0)
            throw new InvalidDataException($"{model.OnnxPath}: neither the graph's output '{output}' nor config.json gives the hidden size.");
        var extras = extraOutputs.Select(name => ExtraOutput(model, outputs, name)).ToArray();
        return new EncoderSession(session, output, extras, inputs.ContainsKey(TokenTypeIds), hidden, provider, runtime);
    }

    private static EncoderGraphOutput ExtraOutput(EncoderModel model, IReadOnlyDictionary<string, NodeMetadata> outputs, string name)
    {
        if (outputs.TryGetValue(name, out NodeMetadata? node) && node.IsTensor && node.ElementType == typeof(float)
            && node.Dimensions.Length is 2 or 3 && node.Dimensions[^1] > 0)
        {
            return new EncoderGraphOutput(name, PerToken: node.Dimensions.Length == 3, Width: node.Dimensions[^1]);
        }
        throw new InvalidDataException(
            $"{model.OnnxPath}: expected a float output '{name}' of shape batch x width or batch x sequence x width with a fixed width; " +
            "got outputs " + Describe(outputs) + ".");
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

/// <summary>A float output of the graph besides the last hidden state.</summary>
/// <param name="Name">Output name, e.g. <c>logits</c>.</param>
/// <param name="PerToken">True for batch x sequence x width, false for batch x width.</param>
/// <param name="Width">The last dimension.</param>
internal sealed record EncoderGraphOutput(string Name, bool PerToken, int Width);

/// <summary>Where and how ONNX Runtime runs an encoder component.</summary>
/// <param name="Component">The component's name in log lines and errors, e.g. <c>EncodeText</c>.</param>
/// <param name="TransformerName">The transformer type, named by <see cref="ObjectDisposedException"/> after disposal.</param>
/// <param name="ExecutionProvider">CPU, CUDA or automatic.</param>
/// <param name="IntraOpThreads">Intra-op threads; null lets ONNX Runtime choose.</param>
/// <param name="GraphOptimizationLevel">ONNX Runtime's graph optimisation level.</param>
internal sealed record EncoderRuntimeSettings(string Component, string TransformerName, EncoderExecutionProvider ExecutionProvider, int? IntraOpThreads,
    GraphOptimizationLevel GraphOptimizationLevel);
