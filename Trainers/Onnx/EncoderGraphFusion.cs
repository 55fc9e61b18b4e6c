using MLNetExt.Trainers.Modules;
using MLNetExt.Transforms;

namespace MLNetExt.Trainers.Onnx;

/// <summary>
/// Re-emits a BERT-family encoder's graph with ONNX Runtime's fused transformer operators (one Attention kernel per
/// layer instead of MatMul/Reshape/Transpose/Softmax chains, SkipLayerNormalization for residual + LayerNorm, BiasGelu).
/// The weights and arithmetic are unchanged (last hidden states agree with the original graph to about 1e-5); ONNX
/// Runtime's own optimiser does not find these fusions in the exported PyTorch pattern on CPU, so the fused graph
/// runs faster on long inputs.
/// </summary>
public static class EncoderGraphFusion
{
    /// <summary>
    /// Returns <paramref name="model"/> over a fused graph held in memory, for <c>EncodeText</c> and everything else
    /// that takes an <see cref="EncoderModel"/>. The graph runs on ONNX Runtime only (it uses <c>com.microsoft</c> operators).
    /// </summary>
    /// <exception cref="InvalidDataException">The graph is not a BERT-family encoder that <see cref="OnnxBertImporter"/> can read.</exception>
    public static EncoderModel Fuse(EncoderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        OnnxBertWeights weights;
        try
        {
            weights = OnnxBertImporter.Read(new MemoryStream(model.ReadOnnxBytes(), writable: false), model.OnnxPath);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException(
                $"{model.OnnxPath}: cannot fuse this graph; expected a BERT-family encoder with named embeddings and layer weights. {e.Message}", e);
        }
        using BertModel bert = weights.CreateModel();
        return model.WithGraph(OnnxBertExporter.ToBytes(bert, style: OnnxGraphStyle.OnnxRuntimeFused), "fused");
    }
}
