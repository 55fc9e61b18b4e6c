using Microsoft.ML.OnnxRuntime;

namespace MLNetExt.Transforms;

/// <summary>Settings of <c>mlContext.Transforms.Text.EncodeText</c>. Null settings take the model's own value (<see cref="EncoderConfig"/>).</summary>
public sealed class TextEncoderOptions
{
    /// <summary>Name of the sentence-vector column (known-size vector of <see cref="float"/>, length = hidden size). Required.</summary>
    public string OutputColumnName { get; set; } = "Embedding";

    /// <summary>Name of the text column to encode (<see cref="ReadOnlyMemory{T}"/> of char). Null means <see cref="OutputColumnName"/>.</summary>
    public string? InputColumnName { get; set; }

    /// <summary>
    /// Optional second text column: each row is encoded as the pair <c>[CLS] text [SEP] pair [SEP]</c> with token type
    /// ids 0 and 1 (as BERT's sentence-pair tasks do); longer pairs are cut from the longer side first.
    /// </summary>
    public string? PairColumnName { get; set; }

    /// <summary>The encoder. Null means <see cref="PretrainedEncoders.MiniLM"/> from the default cache folder.</summary>
    public EncoderModel? Model { get; set; }

    /// <summary>Pooling of token vectors into the sentence vector; null for the model's (<see cref="EncoderConfig.Pooling"/>).</summary>
    public EncoderPooling? Pooling { get; set; }

    /// <summary>Scale sentence vectors to unit L2 length; null for the model's (<see cref="EncoderConfig.Normalize"/>).</summary>
    public bool? Normalize { get; set; }

    /// <summary>Word pieces per row, <c>[CLS]</c>/<c>[SEP]</c> included, beyond which text is cut (and counted in the log); null for the model's.</summary>
    public int? MaxTokens { get; set; }

    /// <summary>Text put before every input (e.g. <see cref="EncoderConfig.QueryPrefix"/> when encoding queries); null for none.</summary>
    public string? Prefix { get; set; }

    /// <summary>Optional output: the last layer's token vectors, a variable-length vector of tokens x hidden floats (row-major, no padding).</summary>
    public string? TokenEmbeddingsColumnName { get; set; }

    /// <summary>Optional output: one float per token, 1 for word pieces of the text and 0 for <c>[CLS]</c>/<c>[SEP]</c>.</summary>
    public string? TokenMaskColumnName { get; set; }

    /// <summary>Optional output: the word pieces (vector of text), one per token.</summary>
    public string? WordPiecesColumnName { get; set; }

    /// <summary>Rows per ONNX Runtime call. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// Rows read ahead and sorted by length before they are cut into batches, so that padding stays small. Default 1024.
    /// Memory grows with it only when token outputs are requested.
    /// </summary>
    public int SortWindow { get; set; } = 1024;

    /// <summary>ONNX Runtime intra-op threads; null lets ONNX Runtime choose (one per physical core).</summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>ONNX Runtime graph optimisation level. Default <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>.</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// Run the encoder on a graph re-emitted with ONNX Runtime's fused transformer kernels (one Attention,
    /// SkipLayerNormalization and BiasGelu per layer; same weights, same arithmetic, faster) whenever the model is a
    /// recognised BERT-family graph (see <see cref="Onnx.EncoderGraphFusion"/>). A graph that is not recognised runs as it
    /// is, and <c>MLContext.Log</c> says why. Default true; false runs the model's graph unchanged. A saved pipeline
    /// stores the model's own graph and this setting, and fuses again when it is loaded.
    /// </summary>
    public bool FuseGraph { get; set; } = true;

    /// <summary>Execution provider. Default <see cref="EncoderExecutionProvider.Auto"/>.</summary>
    public EncoderExecutionProvider ExecutionProvider { get; set; } = EncoderExecutionProvider.Auto;
}
