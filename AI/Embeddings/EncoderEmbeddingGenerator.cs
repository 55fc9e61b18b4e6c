using Microsoft.Extensions.AI;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExt.Transforms;

namespace MLNetExt.AI;

/// <summary>
/// A Microsoft.Extensions.AI <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over an MLNetExt encoder
/// (<c>EncodeText</c>) or over any fitted ML.NET pipeline that maps a text column to a vector-of-Single column.
/// </summary>
/// <remarks>
/// <para>Batched: a call's texts go through the encoder's length-sorted batches in passes of
/// <see cref="EncoderEmbeddingGeneratorOptions.MaxTextsPerPass"/>; the embeddings come back in input order.</para>
/// <para>Cancellable: the token stops the work before the next batch (<see cref="OperationCanceledException"/>).</para>
/// <para>Thread-safe: any number of calls may run at once; each reads its own cursor of the shared encoder.</para>
/// <para>Metadata: <c>GetService(typeof(EmbeddingGeneratorMetadata))</c> gives the provider ("MLNetExt"), the model
/// id and the dimensions. <c>GetService</c> also hands out the underlying <see cref="ITransformer"/> and, when known,
/// the <see cref="EncoderModel"/>.</para>
/// <para>Lifetime: a generator made from an <see cref="EncoderModel"/> owns its ONNX Runtime session and ends it on
/// <see cref="Dispose"/>; one over a pipeline leaves the pipeline to its owner unless
/// <see cref="EncoderEmbeddingGeneratorOptions.OwnsPipeline"/> is set.</para>
/// <para>Register one with <c>services.AddEncoderEmbeddingGenerator(model)</c>
/// (<see cref="EmbeddingGeneratorServiceCollectionExtensions"/>). Sample: <c>Samples/EmbeddingGeneratorSample.cs</c>.</para>
/// </remarks>
public sealed class EncoderEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The provider name reported in <see cref="EmbeddingGeneratorMetadata"/>.</summary>
    public const string ProviderName = "MLNetExt";

    private readonly MLContext _mlContext;
    private readonly ITransformer _transformer;
    private readonly bool _ownsTransformer;
    private readonly SchemaDefinition _inputDefinition;
    private readonly EncoderModel? _model;
    private readonly int _maxTextsPerPass;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly Lock _viewLock = new();
    private int _disposed;

    private EncoderEmbeddingGenerator(MLContext mlContext, ITransformer transformer, string inputColumnName,
        string outputColumnName, EncoderEmbeddingGeneratorOptions options, bool ownsTransformer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxTextsPerPass, nameof(options.MaxTextsPerPass));
        _mlContext = mlContext;
        _transformer = transformer;
        _ownsTransformer = ownsTransformer;
        InputColumnName = inputColumnName;
        OutputColumnName = outputColumnName;
        _inputDefinition = SchemaDefinition.Create(typeof(TextRow));
        _inputDefinition[0].ColumnName = inputColumnName;
        _maxTextsPerPass = options.MaxTextsPerPass;
        _model = EncoderOf(transformer);

        DataViewSchema inputSchema = _mlContext.Data.LoadFromEnumerable(Array.Empty<TextRow>(), _inputDefinition).Schema;
        DataViewSchema outputSchema = transformer.GetOutputSchema(inputSchema);
        DataViewSchema.Column column = outputSchema.GetColumnOrNull(outputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(outputColumnName), outputColumnName,
                $"Could not find output column '{outputColumnName}'; the pipeline produces: {string.Join(", ", outputSchema.Select(c => c.Name))}.");
        if (column.Type is not VectorDataViewType { ItemType: var item } vector || item != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(outputColumnName), outputColumnName,
                $"Schema mismatch for output column '{outputColumnName}': expected vector of Single, got {column.Type}.");
        Dimensions = vector.Size > 0 ? vector.Size : null;
        ModelId = options.ModelId ?? _model?.Name ?? "pipeline";
        _metadata = new EmbeddingGeneratorMetadata(ProviderName, providerUri: null, ModelId, Dimensions);
    }

    /// <summary>The model id on the metadata and on every embedding.</summary>
    public string ModelId { get; }

    /// <summary>Length of every embedding; null when the pipeline's output column does not declare a size.</summary>
    public int? Dimensions { get; }

    /// <summary>The text column fed to the pipeline.</summary>
    public string InputColumnName { get; }

    /// <summary>The embedding column read from the pipeline.</summary>
    public string OutputColumnName { get; }

    /// <summary>A generator over <paramref name="model"/> with its own settings (pooling, normalisation, maximum tokens).</summary>
    /// <param name="model">The encoder.</param>
    /// <param name="options">Generator settings; defaults when null.</param>
    /// <exception cref="InvalidDataException">The model's ONNX graph cannot be opened.</exception>
    public static EncoderEmbeddingGenerator Create(EncoderModel model, EncoderEmbeddingGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(new TextEncoderOptions { Model = model, InputColumnName = "Text", OutputColumnName = "Embedding" }, options);
    }

    /// <summary>A generator over <c>EncodeText</c> with every setting of <paramref name="encoderOptions"/> (prefix, batch size, threads...).</summary>
    /// <param name="encoderOptions">The encoder settings; its column names are the generator's.</param>
    /// <param name="options">Generator settings; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An encoder setting is out of range (the message quotes it).</exception>
    public static EncoderEmbeddingGenerator Create(TextEncoderOptions encoderOptions, EncoderEmbeddingGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(encoderOptions);
        var mlContext = new MLContext();
        string input = encoderOptions.InputColumnName ?? encoderOptions.OutputColumnName;
        var definition = SchemaDefinition.Create(typeof(TextRow));
        definition[0].ColumnName = input;
        IDataView empty = mlContext.Data.LoadFromEnumerable(Array.Empty<TextRow>(), definition);
        TextEncoderTransformer encoder = mlContext.Transforms.Text.EncodeText(encoderOptions).Fit(empty);
        try
        {
            return new EncoderEmbeddingGenerator(mlContext, encoder, input, encoderOptions.OutputColumnName,
                options ?? new EncoderEmbeddingGeneratorOptions(), ownsTransformer: true);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>A generator over a fitted pipeline that maps <paramref name="inputColumnName"/> (text) to <paramref name="outputColumnName"/>.</summary>
    /// <param name="mlContext">The context the pipeline was made or loaded with.</param>
    /// <param name="pipeline">A fitted or loaded pipeline (ours or stock parts, e.g. EncodeText then NormalizeLpNorm).</param>
    /// <param name="inputColumnName">The text column the pipeline reads.</param>
    /// <param name="outputColumnName">The embedding column (vector of Single) it writes.</param>
    /// <param name="options">Generator settings; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">The pipeline does not accept a text column of that name, or does not
    /// produce a vector-of-Single column of that name (the message says what it found).</exception>
    public static EncoderEmbeddingGenerator Create(MLContext mlContext, ITransformer pipeline, string inputColumnName = "Text",
        string outputColumnName = "Embedding", EncoderEmbeddingGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        options ??= new EncoderEmbeddingGeneratorOptions();
        return new EncoderEmbeddingGenerator(mlContext, pipeline, inputColumnName, outputColumnName, options, options.OwnsPipeline);
    }

    /// <summary>Embeds <paramref name="values"/>, one embedding per text, in order.</summary>
    /// <param name="values">The texts; none may be null (empty text encodes as <c>[CLS] [SEP]</c>).</param>
    /// <param name="options">Optional request settings: a <see cref="EmbeddingGenerationOptions.ModelId"/> or
    /// <see cref="EmbeddingGenerationOptions.Dimensions"/> other than this generator's is refused, since it cannot
    /// switch models or shorten vectors.</param>
    /// <param name="cancellationToken">Stops the encoding before the next batch.</param>
    /// <exception cref="ArgumentException">A text is null, or the options ask for another model or size.</exception>
    /// <exception cref="ObjectDisposedException">The generator (or the pipeline's encoder) was disposed.</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        CheckRequest(options);
        string[] texts = values.ToArray();
        for (int i = 0; i < texts.Length; i++)
        {
            if (texts[i] is null)
                throw new ArgumentException($"values[{i}] is null; every text must be a string (use \"\" for empty text).", nameof(values));
        }
        // The work is CPU-bound; run it off the caller's thread so that async callers (web requests) are not blocked.
        return Task.Run(() => Generate(texts, cancellationToken), cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
            return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata))
            return _metadata;
        if (serviceType.IsInstanceOfType(this))
            return this;
        if (serviceType.IsInstanceOfType(_transformer))
            return _transformer;
        if (serviceType == typeof(EncoderModel))
            return _model;
        return null;
    }

    /// <summary>Ends the encoder if this generator owns it; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (_ownsTransformer)
            _transformer.DisposeEncoders();
    }

    private void CheckRequest(EmbeddingGenerationOptions? options)
    {
        if (options is null)
            return;
        if (options.ModelId is { } modelId && !string.Equals(modelId, ModelId, StringComparison.Ordinal))
            throw new ArgumentException($"The request asks for model '{modelId}'; this generator serves '{ModelId}' only.", nameof(options));
        if (options.Dimensions is { } dimensions && dimensions != Dimensions)
            throw new ArgumentException(
                $"The request asks for {dimensions} dimensions; this generator's embeddings have {Dimensions?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "the pipeline's"} and cannot be shortened.",
                nameof(options));
    }

    private GeneratedEmbeddings<Embedding<float>> Generate(string[] texts, CancellationToken cancellationToken)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Length);
        DateTimeOffset created = DateTimeOffset.UtcNow;
        for (int start = 0; start < texts.Length; start += _maxTextsPerPass)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(_maxTextsPerPass, texts.Length - start);
            IDataView output;
            // Building the views is cheap and lazy; MLContext is not documented as thread-safe, so it is serialised.
            // The encoding itself happens in the cursor below, concurrently with other calls.
            lock (_viewLock)
            {
                IDataView input = _mlContext.Data.LoadFromEnumerable(
                    texts.Skip(start).Take(count).Select(t => new TextRow { Text = t }), _inputDefinition);
                output = _transformer.Transform(input, cancellationToken);
            }
            DataViewSchema.Column column = output.Schema[OutputColumnName];
            using DataViewRowCursor cursor = output.GetRowCursor([column]);
            ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> buffer = default;
            int rows = 0;
            while (cursor.MoveNext())
            {
                getter(ref buffer);
                var vector = new float[buffer.Length];
                buffer.CopyTo(vector);
                result.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = created });
                rows++;
            }
            if (rows != count)
                throw new InvalidOperationException($"The pipeline produced {rows} rows for {count} texts; an embedding pipeline must keep every row.");
        }
        return result;
    }

    private static EncoderModel? EncoderOf(ITransformer transformer) => transformer switch
    {
        TextEncoderTransformer encoder => encoder.Model,
        IEnumerable<ITransformer> chain => chain.Select(EncoderOf).LastOrDefault(m => m is not null),
        _ => null,
    };

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }
}
