namespace MLNetExt.Transforms;

/// <summary>Where ONNX Runtime runs the encoder.</summary>
public enum EncoderExecutionProvider
{
    /// <summary>CUDA when <c>MLContext.GpuDeviceId</c> is set and ONNX Runtime's CUDA provider is present; otherwise CPU. The choice is logged.</summary>
    Auto,

    /// <summary>Always the CPU.</summary>
    Cpu,

    /// <summary>CUDA on <c>MLContext.GpuDeviceId</c> (device 0 when unset); fails when the CUDA provider is absent.</summary>
    Cuda,
}
