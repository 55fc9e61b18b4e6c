namespace MLNetExt.Transforms.Onnx;

/// <summary>A linear head on a pooled sentence vector, written by <see cref="OnnxBertWriter"/> as an extra <c>logits</c> output.</summary>
/// <param name="Pooling">How the sentence vector is pooled from the last hidden state (as <c>EncodeText</c> pools).</param>
/// <param name="Weight">Row-major [labels, hidden] weight, as a PyTorch Linear stores it.</param>
/// <param name="Bias">[labels] bias.</param>
public sealed record OnnxLinearHead(EncoderPooling Pooling, float[] Weight, float[] Bias);
