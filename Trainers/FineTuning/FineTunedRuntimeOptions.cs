namespace MLNetExt.Trainers.FineTuning;

/// <summary>How <see cref="EncoderFineTuningTransformer.WithRuntime"/> serves a copy of a fine-tuned model.</summary>
public sealed class FineTunedRuntimeOptions
{
    /// <summary>
    /// Quantise the graph's weights to int8 (dynamic quantisation: ONNX Runtime's <c>QAttention</c> and
    /// <c>DynamicQuantizeMatMul</c>, VNNI/AMX kernels where the CPU has them). Faster on the CPU, slightly different
    /// scores: measure the copy before trusting it. Default false.
    /// </summary>
    public bool Int8 { get; set; }

    /// <summary>ONNX Runtime intra-op threads of the copy's session; null (default) lets ONNX Runtime choose (one per core).</summary>
    public int? IntraOpThreads { get; set; }
}
