namespace MLNetExt.Transforms.Onnx;

/// <summary>Which operators an encoder graph written by <see cref="OnnxBertWriter"/> uses.</summary>
public enum OnnxGraphStyle
{
    /// <summary>Standard ONNX operators only, in the node pattern of PyTorch's own BERT export (runs on any ONNX runtime).</summary>
    Portable,

    /// <summary>
    /// ONNX Runtime's fused transformer kernels (<c>com.microsoft</c> Attention, SkipLayerNormalization, BiasGelu):
    /// the same arithmetic in fewer, larger kernels, which ONNX Runtime's own graph optimiser does not produce from
    /// the portable pattern on CPU.
    /// </summary>
    OnnxRuntimeFused,
}
