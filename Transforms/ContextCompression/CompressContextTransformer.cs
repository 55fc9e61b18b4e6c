using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetExt.Transforms.Persistence;

namespace MLNetExt.Transforms;

/// <summary>
/// Compresses a text column into K continuous vectors per row from a transformer encoder's last-layer token vectors:
/// K = ceil(tokens / ratio) or a fixed K, by means of consecutive tokens or of clusters of similar tokens. Made by
/// <see cref="CompressContextEstimator"/> (<c>mlContext.Transforms.Text.CompressContext</c>).
/// </summary>
/// <remarks>
/// <para>Output layout: ML.NET has no vector-of-vectors column, so each row carries its K vectors flat in one
/// variable-length <see cref="float"/> vector (K x hidden size, vector after vector) and K in an <see cref="int"/>
/// column; vector i of a row is values <c>[i * Dimension, (i + 1) * Dimension)</c>. The tokens compressed are the
/// text's word pieces; <c>[CLS]</c> and <c>[SEP]</c> are run through the encoder but not kept.</para>
/// <para>Bad input stops the cursor with <see cref="InvalidOperationException"/> naming the row: an empty or blank
/// text (nothing to compress), and unless <see cref="CompressContextOptions.TruncateLongText"/> is set, a text longer
/// than <see cref="MaxTokens"/>.</para>
/// <para>Like <see cref="TextEncoderTransformer"/> it is lazy and batched, serves <c>PredictionEngine</c>, is saved
/// with <c>mlContext.Model.SaveWithEncoders</c>, and owns an ONNX Runtime session that its owner disposes.</para>
/// </remarks>
[PipelinePart(typeof(ContextCompressorPart))]
public sealed class CompressContextTransformer : IOwnedTransformer, ICancellableTransformer, ICanSaveModel
{
    internal CompressContextTransformer(IHostEnvironment environment, CompressContextSettings settings, EncoderModel model,
        LearnedContextCompressor? compressor = null)
    {
        Settings = settings;
        Compressor = compressor?.Reopen();
        try
        {
            var tokenizer = EncoderTokenizer.Create(model, settings.MaxTokens, settings.Prefix);
            Serving = new EncoderServing(environment, model, tokenizer, settings.ToServingSettings(),
                new CompressedContextHead(settings, model.Config.HiddenSize, Compressor));
        }
        catch
        {
            Compressor?.Dispose();
            throw;
        }
    }

    /// <summary>The trained compressor of the learned method (this transformer's own session over it), or null.</summary>
    public LearnedContextCompressor? Compressor { get; }

    internal CompressContextSettings Settings { get; }

    internal EncoderServing Serving { get; }

    /// <summary>The encoder (weights, vocabulary, config) as given.</summary>
    public EncoderModel Model => Serving.Model;

    /// <summary>The text column read.</summary>
    public string InputColumnName => Settings.InputColumn;

    /// <summary>The vectors column written (K x <see cref="Dimension"/> floats per row).</summary>
    public string OutputColumnName => Settings.OutputColumn;

    /// <summary>The column holding K.</summary>
    public string CountColumnName => Settings.CountColumn;

    /// <summary>How tokens are grouped.</summary>
    public ContextCompressionMethod Method => Settings.Method;

    /// <summary>Tokens per vector (1, 2, 4 or 8); not used when <see cref="VectorCount"/> is set.</summary>
    public int Ratio => Settings.Ratio;

    /// <summary>The fixed K, or null when K follows <see cref="Ratio"/>.</summary>
    public int? VectorCount => Settings.VectorCount;

    /// <summary>Floats per vector: the encoder's hidden size, or the learned compressor's width.</summary>
    public int Dimension => Compressor?.Dimension ?? Serving.Session.Hidden;

    /// <summary>Maximum word pieces per row, <c>[CLS]</c>/<c>[SEP]</c> included.</summary>
    public int MaxTokens => Settings.MaxTokens;

    /// <summary>Rows encoded so far by all cursors of this transformer.</summary>
    public long EncodedRowCount => Serving.EncodedRowCount;

    /// <summary>Always true: the transformer maps rows one by one (used by <c>PredictionEngine</c>).</summary>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public bool IsDisposed => Serving.Session.IsDisposed;

    /// <summary>The input schema plus the vectors and count columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or is not text.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Serving.Session.ThrowIfDisposed();
        return Serving.Bind(inputSchema).OutputSchema;
    }

    /// <summary>A lazy, batched view of <paramref name="input"/> with the compressed columns added.</summary>
    public IDataView Transform(IDataView input) => Transform(input, CancellationToken.None);

    /// <summary>As <see cref="Transform(IDataView)"/>, stopping before the next batch once <paramref name="cancellationToken"/> is cancelled.</summary>
    public IDataView Transform(IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Serving.Transform(input, cancellationToken);
    }

    /// <summary>A one-row-at-a-time mapper (what <c>PredictionEngine</c> uses).</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return Serving.GetRowToRowMapper(inputSchema);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(
        "CompressContextTransformer cannot be written into ML.NET's model file: ML.NET keeps that format closed to other " +
        "assemblies. Save the pipeline with mlContext.Model.SaveWithEncoders(model, inputSchema, path) and load it with " +
        "mlContext.Model.LoadWithEncoders(path, out inputSchema) (using MLNetExt;).");

    /// <summary>Ends the transformer and releases its ONNX Runtime sessions; later use throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        Serving.Dispose();
        Compressor?.Dispose();
    }
}
