namespace MLNetExt.Transforms.Onnx;

/// <summary>Settings of <see cref="EncoderQuantizer.Quantize"/> (dynamic int8 quantisation of an encoder's ONNX graph).</summary>
public sealed class EncoderQuantizationOptions
{
    /// <summary>
    /// Re-emit a recognised BERT-family graph with ONNX Runtime's fused kernels first (see <see cref="EncoderGraphFusion"/>),
    /// so that each layer's query/key/value projection becomes one <c>QAttention</c>. A graph that is not recognised is
    /// quantised as it is and the result says why. Default true.
    /// </summary>
    public bool FuseGraph { get; set; } = true;

    /// <summary>One scale per output column of each weight (true) or one per weight (false). Default true.</summary>
    public bool PerChannel { get; set; } = true;

    /// <summary>
    /// Store weights with 7 bits (codes in [-63, 63]) instead of 8. Needed on x64 CPUs with AVX2 but without VNNI, where
    /// ONNX Runtime adds pairs of uint8 x int8 products in 16 bits and full-range weights can overflow. Null (the default)
    /// decides by the CPU running the quantisation: reduced range unless it has AVX-VNNI or AVX512-VNNI, or is not x64.
    /// </summary>
    public bool? ReduceRange { get; set; }

    /// <summary>Whether the weights are stored with 7 bits when <see cref="ReduceRange"/> is null, on this CPU.</summary>
    public static bool ReduceRangeByDefault => CpuHasVnni() is false;

    // True/false on x64 (VNNI or not); null elsewhere (ARM's int8 dot products do not saturate).
    private static bool? CpuHasVnni()
    {
        if (!System.Runtime.Intrinsics.X86.X86Base.IsSupported)
            return null;
        if (System.Runtime.Intrinsics.X86.AvxVnni.IsSupported)
            return true;
        // .NET has no AVX512-VNNI flag before AVX10; Linux lists it among the CPU flags.
        const string CpuInfo = "/proc/cpuinfo";
        try
        {
            return File.Exists(CpuInfo) && File.ReadLines(CpuInfo).Any(l => l.StartsWith("flags", StringComparison.Ordinal) && l.Contains(" avx512_vnni", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }
}
