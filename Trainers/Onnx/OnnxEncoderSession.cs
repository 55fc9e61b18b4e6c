using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNetExt.Trainers.Text;

namespace MLNetExt.Trainers.Onnx;

/// <summary>
/// Runs an encoder graph (inputs <c>input_ids</c>, <c>attention_mask</c>, optional <c>token_type_ids</c>, int64
/// [batch, seq]) with ONNX Runtime on padded <see cref="TokenizedBatch"/>es. Disposable: holds a native session.
/// </summary>
public sealed class OnnxEncoderSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly bool _hasTokenTypes;

    /// <summary>Opens the graph in <paramref name="model"/> (bytes of an ONNX file).</summary>
    public OnnxEncoderSession(byte[] model, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var options = new SessionOptions { IntraOpNumThreads = threads > 0 ? threads : Environment.ProcessorCount };
        _session = new InferenceSession(model, options);
        _hasTokenTypes = _session.InputMetadata.ContainsKey("token_type_ids");
        OutputNames = _session.OutputMetadata.Keys.ToArray();
    }

    /// <summary>Names of the graph's outputs.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Input names and element types, for checking that two graphs take the same inputs.</summary>
    public IReadOnlyDictionary<string, NodeMetadata> InputMetadata => _session.InputMetadata;

    /// <summary>Runs the batch and returns the requested output as a flat row-major array with its shape.</summary>
    public (float[] Values, int[] Shape) Run(TokenizedBatch batch, string output = "last_hidden_state")
    {
        ArgumentNullException.ThrowIfNull(batch);
        int[] dims = [batch.Rows, batch.Length];
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(batch.InputIds, dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(batch.AttentionMask, dims)),
        };
        if (_hasTokenTypes)
            inputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(batch.TokenTypeIds, dims)));
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = _session.Run(inputs, [output]);
        var tensor = (DenseTensor<float>)results[0].AsTensor<float>();
        return (tensor.Buffer.ToArray(), tensor.Dimensions.ToArray());
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();
}
