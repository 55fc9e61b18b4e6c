using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms.Persistence;

namespace MLNetExt.Transforms;

/// <summary>
/// Encodes a text column into sentence vectors (and, on request, token vectors, a token mask and word pieces) with a
/// transformer encoder run by ONNX Runtime. Made by <see cref="TextEncoderEstimator"/>
/// (<c>mlContext.Transforms.Text.EncodeText</c>).
/// </summary>
/// <remarks>
/// <para><see cref="Transform"/> is lazy and batched: a cursor reads a window of rows ahead, sorts them by token count,
/// runs them in batches and keeps only that window, so a million rows stream through a few batches of memory. All
/// output columns of a cursor read the same cached window. <c>PredictionEngine</c> goes through
/// <see cref="GetRowToRowMapper"/> and encodes one row at a time.</para>
/// <para>Empty text (ML.NET's missing text is empty too) encodes as <c>[CLS] [SEP]</c>, the vector sentence-transformers
/// gives for <c>""</c>. Text longer than the maximum token count is cut; how many rows were cut is logged to
/// <c>MLContext.Log</c> when a cursor closes and counted in <see cref="TruncatedRowCount"/>.</para>
/// <para>Persistence: ML.NET's model file cannot hold transformers from other assemblies, so
/// <c>mlContext.Model.Save</c> throws <see cref="NotSupportedException"/> naming
/// <c>mlContext.Model.SaveWithEncoders</c>, which writes a whole pipeline (ours and stock parts) into one file.</para>
/// <para>Lifetime and threads: the transformer owns an ONNX Runtime session and is an <see cref="IOwnedTransformer"/>:
/// disposing a <c>PredictionEngine</c> or a <c>TransformerChain</c> does not end it; its owner does, with
/// <see cref="Dispose"/> (or <c>model.DisposeEncoders()</c>), safely even while other threads encode. One transformer
/// serves any number of threads at once (each with its own cursor or <c>PredictionEngine</c>, or through
/// <see cref="EncoderPredictionEnginePool{TInput, TOutput}"/>); one <c>PredictionEngine</c> serves one thread at a time,
/// and overlapping calls on it throw <see cref="InvalidOperationException"/>.</para>
/// </remarks>
[PipelinePart(typeof(TextEncoderPart))]
public sealed class TextEncoderTransformer : IOwnedTransformer, ICancellableTransformer, ICanSaveModel
{
    internal TextEncoderTransformer(IHostEnvironment environment, TextEncoderSettings settings, EncoderModel model)
    {
        Settings = settings;
        var tokenizer = EncoderTokenizer.Create(model, settings.MaxTokens, settings.Prefix);
        Serving = new EncoderServing(environment, model, tokenizer, settings.ToServingSettings(),
            new SentenceEncoderHead(settings, tokenizer, model.Config.HiddenSize));
    }

    internal TextEncoderSettings Settings { get; }

    /// <summary>The inference stack (tokenizer, session, batched view, row mapper) with the sentence head.</summary>
    internal EncoderServing Serving { get; }

    internal EncoderSession Session => Serving.Session;

    /// <summary>The encoder (weights, vocabulary, config) as given; a saved pipeline stores its graph.</summary>
    public EncoderModel Model => Serving.Model;

    /// <summary>
    /// Whether the session runs ONNX Runtime's fused transformer kernels: true when <see cref="TextEncoderOptions.FuseGraph"/>
    /// is on and the model is a recognised BERT graph (or is fused already).
    /// </summary>
    public bool IsGraphFused => Serving.IsGraphFused;

    /// <summary>The text column read.</summary>
    public string InputColumnName => Settings.InputColumn;

    /// <summary>The optional second text column of sentence pairs.</summary>
    public string? PairColumnName => Settings.PairColumn;

    /// <summary>The sentence-vector column written.</summary>
    public string OutputColumnName => Settings.OutputColumn;

    /// <summary>Pooling in use.</summary>
    public EncoderPooling Pooling => Settings.Pooling;

    /// <summary>Whether sentence vectors are L2-normalised.</summary>
    public bool Normalize => Settings.Normalize;

    /// <summary>Maximum word pieces per row, <c>[CLS]</c>/<c>[SEP]</c> included.</summary>
    public int MaxTokens => Settings.MaxTokens;

    /// <summary>Length of a sentence vector.</summary>
    public int Dimension => Session.Hidden;

    /// <summary>The ONNX Runtime execution provider in use: <c>CPU</c> or <c>CUDA:&lt;device&gt;</c>.</summary>
    public string ExecutionProvider => Session.Provider;

    /// <summary>Rows encoded so far by all cursors of this transformer.</summary>
    public long EncodedRowCount => Serving.EncodedRowCount;

    /// <summary>Rows so far whose text was longer than <see cref="MaxTokens"/> and was cut.</summary>
    public long TruncatedRowCount => Serving.TruncatedRowCount;

    /// <summary>Always true: the transformer maps rows one by one (used by <c>PredictionEngine</c>).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the output columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or is not text.</exception>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Serving.Session.ThrowIfDisposed();
        return Serving.Bind(inputSchema).OutputSchema;
    }

    /// <summary>A lazy, batched view of <paramref name="input"/> with the encoded columns added.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or is not text.</exception>
    public IDataView Transform(IDataView input) => Transform(input, CancellationToken.None);

    /// <summary>
    /// <see cref="Transform(IDataView)"/> whose cursors stop with <see cref="OperationCanceledException"/> before the
    /// next batch once <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or is not text.</exception>
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
        "TextEncoderTransformer cannot be written into ML.NET's model file: ML.NET keeps that format closed to other " +
        "assemblies. Save the pipeline with mlContext.Model.SaveWithEncoders(model, inputSchema, path) and load it with " +
        "mlContext.Model.LoadWithEncoders(path, out inputSchema) (using MLNetExt;).");

    /// <inheritdoc/>
    public bool IsDisposed => Session.IsDisposed;

    /// <summary>
    /// Ends the transformer: later use (and reading a view it made) throws <see cref="ObjectDisposedException"/>; the
    /// ONNX Runtime session is released now, or when the batch still running on another thread ends.
    /// </summary>
    public void Dispose() => Serving.Dispose();
}
