namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// A linear head written by <see cref="OnnxBertWriter"/> as an extra <c>logits</c> output: on the pooled sentence vector
/// (<c>logits</c> [batch, labels]) or, with no pooling, on every token's last hidden state (token classification:
/// <c>logits</c> [batch, sequence, labels]).
/// </summary>
/// <param name="Pooling">How the sentence vector is pooled from the last hidden state (as <c>EncodeText</c> pools); null for a per-token head.</param>
/// <param name="Weight">Row-major [labels, hidden] weight, as a PyTorch Linear stores it.</param>
/// <param name="Bias">[labels] bias.</param>
public sealed record OnnxLinearHead(EncoderPooling? Pooling, float[] Weight, float[] Bias);
