using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms.Persistence;

namespace MLNetExt.Transforms.Attribution;

/// <summary>
/// Adds per-word attributions of a fitted text pipeline's output: a column of scores (one per word) and a column of the
/// words they belong to. Made by <see cref="TextAttributionEstimator"/> (<c>mlContext.Transforms.Text.ExplainText</c>).
/// </summary>
/// <remarks>
/// <para><see cref="Transform(IDataView)"/> is lazy: a row is explained when a cursor first reads one of the two columns
/// at it, and all perturbations of that row are scored by the explained pipeline in one batch. Explaining is far
/// costlier than scoring (occlusion: n + 1 model calls for n words), so read only the rows you need.</para>
/// <para>Empty text gives empty vectors. A row whose text has more words than the method's <c>MaxWords</c> has its later
/// words scored 0.</para>
/// <para>Persistence: <c>mlContext.Model.SaveWithEncoders</c> writes the explained pipeline inside the file;
/// <c>mlContext.Model.Save</c> throws <see cref="NotSupportedException"/> naming it.</para>
/// <para>Lifetime: an <see cref="IOwnedTransformer"/> (disposing an engine or a chain does not end it). Its owner's
/// <see cref="Dispose"/> (or <c>model.DisposeEncoders()</c>) ends the explained pipeline's MLNetExt parts only when this
/// transformer loaded it from a file; a pipeline passed in by the caller stays the caller's to end.</para>
/// </remarks>
[PipelinePart(typeof(TextAttributionPart))]
public sealed partial class TextAttributionTransformer : IOwnedTransformer, ICanSaveModel
{
    private readonly bool _ownsModel;
    private int _disposed;
    private long _rows;

    internal TextAttributionTransformer(ITransformer model, TextAttributionOptions options, UnigramWordSampler? sampler, bool ownsModel)
    {
        Options = options;
        Sampler = sampler;
        _ownsModel = ownsModel;
        ExplainedModel = new ExplainedTextModel(model, options.InputColumnName, options.ScoreColumnName, options.PairColumnName);
        Method = options.Method.Create(ExplainedModel);
        Baseline = options.ResolvedBaseline switch
        {
            WordBaselineKind.Remove => WordBaseline.Remove,
            WordBaselineKind.UnknownToken => WordBaseline.UnknownToken(options.UnknownToken),
            _ => WordBaseline.Sampled(sampler ?? throw new InvalidOperationException("A sampled-word baseline needs the word counts of the fitting data.")),
        };
    }

    internal TextAttributionOptions Options { get; }

    internal UnigramWordSampler? Sampler { get; }

    /// <summary>The pipeline explained, with its text and output columns.</summary>
    public ExplainedTextModel ExplainedModel { get; }

    /// <summary>The attribution method in use.</summary>
    public ITextAttributionMethod Method { get; }

    /// <summary>What an absent word looks like.</summary>
    public WordBaseline Baseline { get; }

    /// <summary>The output explained.</summary>
    public AttributionTarget Target => Options.Target;

    /// <summary>Rows explained so far by all cursors.</summary>
    public long ExplainedRowCount => Interlocked.Read(ref _rows);

    /// <summary>Always true: <c>PredictionEngine</c> explains one row at a time.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the attributions and words columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A text column is missing or not text.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInput(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema.Where(c => !c.IsHidden && c.Name != Options.AttributionsColumnName && c.Name != Options.WordsColumnName));
        builder.AddColumn(Options.AttributionsColumnName, new VectorDataViewType(NumberDataViewType.Single));
        builder.AddColumn(Options.WordsColumnName, new VectorDataViewType(TextDataViewType.Instance));
        return builder.ToSchema();
    }

    /// <summary>A lazy view of <paramref name="input"/> with the attributions and words added.</summary>
    public IDataView Transform(IDataView input) => Transform(input, CancellationToken.None);

    /// <summary><see cref="Transform(IDataView)"/> whose explanations stop with <see cref="OperationCanceledException"/> once <paramref name="cancellationToken"/> is cancelled.</summary>
    public IDataView Transform(IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new AttributedDataView(this, input, GetOutputSchema(input.Schema), cancellationToken);
    }

    /// <summary>A one-row-at-a-time mapper (what <c>PredictionEngine</c> uses).</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new RowMapper(this, inputSchema, GetOutputSchema(inputSchema));
    }

    /// <summary>Explains one text (pair) directly.</summary>
    public TextAttribution Explain(string text, string? secondText = null, CancellationToken cancellationToken = default) =>
        Explain(TextInstance.Create(text, secondText), cancellationToken);

    private TextAttribution Explain(TextInstance instance, CancellationToken cancellationToken)
    {
        TextAttribution result = Method.Attribute(instance, Baseline, Options.Target, cancellationToken);
        Interlocked.Increment(ref _rows);
        return result;
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(
        "TextAttributionTransformer cannot be written into ML.NET's model file: ML.NET keeps that format closed to other " +
        "assemblies. Save the pipeline with mlContext.Model.SaveWithEncoders(model, inputSchema, path) and load it with " +
        "mlContext.Model.LoadWithEncoders(path, out inputSchema) (using MLNetExt;).");

    /// <inheritdoc/>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Ends the explained pipeline's MLNetExt parts if this transformer loaded it from a file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsModel)
            ExplainedModel.Model.DisposeEncoders();
    }

    private void CheckInput(DataViewSchema schema) =>
        TextAttributionEstimator.CheckTextColumns(MLNetExt.Transforms.Schema.SchemaShapeFactory.Create(schema), Options);
}
