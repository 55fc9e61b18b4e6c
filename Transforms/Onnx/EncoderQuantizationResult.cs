namespace MLNetExt.Transforms.Onnx;

/// <summary>What <see cref="EncoderQuantizer.Quantize"/> returns: the int8 model and what was done to the graph.</summary>
public sealed class EncoderQuantizationResult
{
    internal EncoderQuantizationResult(EncoderModel model, IReadOnlyList<QuantizedOperator> quantized, IReadOnlyList<string> skipped,
        bool fused, string fusion, bool reduceRange, long originalGraphBytes)
    {
        Model = model;
        Quantized = quantized;
        Skipped = skipped;
        Fused = fused;
        Fusion = fusion;
        ReduceRange = reduceRange;
        OriginalGraphBytes = originalGraphBytes;
        GraphBytes = model.ReadOnnxBytes().LongLength;
    }

    /// <summary>The quantised encoder (graph in memory), for <c>EncodeText</c>, the evaluators, <c>SaveWithEncoders</c> and <see cref="EncoderModel.Save"/>.</summary>
    public EncoderModel Model { get; }

    /// <summary>The operators that now run in int8, in graph order.</summary>
    public IReadOnlyList<QuantizedOperator> Quantized { get; }

    /// <summary>Operators that could have been quantised but stay fp32, each with the reason.</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>Whether the graph was re-emitted with ONNX Runtime's fused kernels before quantisation.</summary>
    public bool Fused { get; }

    /// <summary>Why the graph was not fused (empty when it was, or when fusion was not asked for).</summary>
    public string Fusion { get; }

    /// <summary>Whether weights use 7 bits (see <see cref="EncoderQuantizationOptions.ReduceRange"/>).</summary>
    public bool ReduceRange { get; }

    /// <summary>Bytes of the original ONNX graph.</summary>
    public long OriginalGraphBytes { get; }

    /// <summary>Bytes of the quantised ONNX graph.</summary>
    public long GraphBytes { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Quantized.Count} operators in int8 ({Quantized.Count(q => q.ToOperator == "QAttention")} QAttention, " +
        $"{Quantized.Count(q => q.ToOperator == "DynamicQuantizeMatMul")} DynamicQuantizeMatMul), {Skipped.Count} left fp32; " +
        $"graph {OriginalGraphBytes / 1048576.0:F1} MiB -> {GraphBytes / 1048576.0:F1} MiB" + (ReduceRange ? ", 7-bit weights" : "") +
        (Fusion.Length > 0 ? $"; not fused: {Fusion}" : "");
}
