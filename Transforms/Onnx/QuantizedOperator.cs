namespace MLNetExt.Transforms.Onnx;

/// <summary>One operator that <see cref="EncoderQuantizer"/> replaced by its int8 form.</summary>
/// <param name="NodeName">Name of the new node.</param>
/// <param name="FromOperator">The fp32 operator it replaces (<c>MatMul</c> or <c>Attention</c>).</param>
/// <param name="ToOperator">The int8 operator (<c>DynamicQuantizeMatMul</c> or <c>QAttention</c>).</param>
/// <param name="WeightName">The float weight that was quantised.</param>
/// <param name="InputSize">Rows of the weight (the width it reads).</param>
/// <param name="OutputSize">Columns of the weight (the width it writes).</param>
/// <param name="PerChannel">One scale per output column (true) or one per weight.</param>
/// <param name="BiasFolded">Whether the bias addition runs inside the int8 operator.</param>
public sealed record QuantizedOperator(string NodeName, string FromOperator, string ToOperator, string WeightName,
    int InputSize, int OutputSize, bool PerChannel, bool BiasFolded);
