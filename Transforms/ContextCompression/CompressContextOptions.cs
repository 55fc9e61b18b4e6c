using Microsoft.ML.OnnxRuntime;

namespace MLNetExt.Transforms;

/// <summary>Settings of <c>mlContext.Transforms.Text.CompressContext</c>. Null settings take the model's own value (<see cref="EncoderConfig"/>).</summary>
public sealed class CompressContextOptions
{
    /// <summary>
    /// Name of the vectors column: a variable-length vector of <see cref="float"/> holding K x hidden-size values, the K
    /// compressed vectors one after another (row-major). Required.
    /// </summary>
    public string OutputColumnName { get; set; } = "Vectors";

    /// <summary>Name of the column holding K, the number of vectors of the row (<see cref="int"/>). Null means <see cref="OutputColumnName"/> + "Count".</summary>
    public string? CountColumnName { get; set; }

    /// <summary>Name of the text column to compress (<see cref="ReadOnlyMemory{T}"/> of char). Null means "Text".</summary>
    public string? InputColumnName { get; set; }

    /// <summary>The encoder whose last-layer token vectors are compressed. Null means <see cref="PretrainedEncoders.MiniLM"/>.</summary>
    public EncoderModel? Model { get; set; }

    /// <summary>How tokens are grouped: consecutive runs (default), clusters of similar tokens, or a trained compressor (<see cref="Compressor"/>).</summary>
    public ContextCompressionMethod Method { get; set; } = ContextCompressionMethod.Mean;

    /// <summary>
    /// The trained compressor of <see cref="ContextCompressionMethod.Learned"/> (required by it, refused by the other
    /// methods). Its <see cref="LearnedContextCompressor.Encoder"/> is the model, so leave <see cref="Model"/> null; the
    /// fitted transformer opens its own session and does not take ownership of this instance.
    /// </summary>
    public LearnedContextCompressor? Compressor { get; set; }

    /// <summary>Tokens per output vector, x in {1, 2, 4, 8}: K = ceil(tokens / x). Default 4. Ignored when <see cref="VectorCount"/> is set.</summary>
    public int Ratio { get; set; } = 4;

    /// <summary>A fixed K instead of a ratio (a text with fewer tokens keeps one vector per token); null (default) uses <see cref="Ratio"/>.</summary>
    public int? VectorCount { get; set; }

    /// <summary>Scale token vectors to unit length before pooling and the pooled vectors after it (cosine MaxSim). Default true.</summary>
    public bool Normalize { get; set; } = true;

    /// <summary>Word pieces per row, <c>[CLS]</c>/<c>[SEP]</c> included; null for the model's.</summary>
    public int? MaxTokens { get; set; }

    /// <summary>
    /// What to do with a text longer than <see cref="MaxTokens"/>: false (default) refuses it with an error naming the
    /// row, since its compressed vectors would silently miss the end of the text; true cuts it (and counts it in the log).
    /// </summary>
    public bool TruncateLongText { get; set; }

    /// <summary>Text put before every input (e.g. a document prefix); null for none.</summary>
    public string? Prefix { get; set; }

    /// <summary>Rows per ONNX Runtime call. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Rows read ahead and sorted by length before they are cut into batches. Default 1024.</summary>
    public int SortWindow { get; set; } = 1024;

    /// <summary>ONNX Runtime intra-op threads; null lets ONNX Runtime choose.</summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>ONNX Runtime graph optimisation level. Default <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>.</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Run a recognised BERT graph with ONNX Runtime's fused kernels (as <see cref="TextEncoderOptions.FuseGraph"/>). Default true.</summary>
    public bool FuseGraph { get; set; } = true;

    /// <summary>Execution provider. Default <see cref="EncoderExecutionProvider.Auto"/>.</summary>
    public EncoderExecutionProvider ExecutionProvider { get; set; } = EncoderExecutionProvider.Auto;
}
