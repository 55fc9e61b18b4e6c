using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetExt.Trainers.Contrastive;
using MLNetExt.Trainers.Losses;
using MLNetExt.Trainers.Training;
using MLNetExt.Transforms;
using MLNetExt.Transforms.Onnx;
using MLNetExt.Transforms.Schema;
using TorchSharp;

namespace MLNetExt.Trainers.ContextCompression;

/// <summary>
/// Trains an ARC-style context compressor for late-interaction retrieval: a pretrained encoder (all-MiniLM-L6-v2 by
/// default) whose last layer pools its queries over groups of consecutive word pieces, followed by an MLP projector
/// (<see cref="ContextCompressorModel"/>), optimised with <see cref="LateInteractionLoss"/> on (query, relevant document)
/// pairs with in-batch negatives. Queries keep one vector per word piece (the compressor at ratio 1), documents are
/// compressed at <see cref="ContextCompressorTrainingOptions.Ratio"/>. The result is a <see cref="LearnedContextCompressor"/>
/// on ONNX Runtime; the fitted transformer is <c>CompressContext</c> with <see cref="ContextCompressionMethod.Learned"/>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input columns</term><description>query and document text (<see cref="ReadOnlyMemory{T}"/> of char)</description></item>
/// <item><term>Output columns</term><description>the document's compressed vectors (variable-size vector of Single) and their count (Int32), as <c>CompressContext</c> writes them</description></item>
/// <item><term>Needs training</term><description>yes</description></item>
/// <item><term>Saved by</term><description><c>mlContext.Model.SaveWithEncoders</c>, or <see cref="LearnedContextCompressor.Save"/> as a folder</description></item>
/// </list>
/// Created by <c>mlContext.Transforms.Text.TrainContextCompressor(...)</c>.
/// </remarks>
public sealed class ContextCompressorTrainer : EncoderTrainerEstimator<CompressContextTransformer>
{
    private readonly ContextCompressorTrainingOptions _options;

    internal ContextCompressorTrainer(TransformsCatalog.TextTransforms catalog, IHostEnvironment host, ContextCompressorTrainingOptions options)
        : base(catalog, host, Prepare(options, out ContextCompressorTrainingOptions prepared))
    {
        _options = prepared;
    }

    // A checked copy of the caller's options (checked before the base encoder is loaded); returns its encoder.
    private static EncoderModel? Prepare(ContextCompressorTrainingOptions options, out ContextCompressorTrainingOptions prepared)
    {
        ArgumentNullException.ThrowIfNull(options);
        prepared = options.Clone();
        prepared.Validate();
        return prepared.Model;
    }

    /// <inheritdoc/>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var settings = new CompressContextSettings
        {
            OutputColumn = _options.OutputColumnName, CountColumn = _options.OutputColumnName + "Count", InputColumn = _options.DocumentColumnName,
            Method = ContextCompressionMethod.Learned, Ratio = _options.Ratio, Normalize = true, MaxTokens = 3,
        };
        return EncoderBindings.GetOutputShape(inputSchema, _options.DocumentColumnName, _options.QueryColumnName, CompressedContextHead.Outputs(settings));
    }

    /// <summary>Trains on <paramref name="input"/> and returns <c>CompressContext</c> over the trained compressor, reading the document column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or is not text.</exception>
    /// <exception cref="ArgumentException">A text is empty, or longer than its limit without <see cref="ContextCompressorTrainingOptions.TruncateLongText"/>.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (a checkpoint is written first when checkpointing is on).</exception>
    public override CompressContextTransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        ContextCompressorTrainingResult result = Train(input, cancellationToken);
        using LearnedContextCompressor compressor = result.Compressor;
        return Catalog.CompressContext(new CompressContextOptions
        {
            Method = ContextCompressionMethod.Learned,
            Compressor = compressor,
            InputColumnName = _options.DocumentColumnName,
            OutputColumnName = _options.OutputColumnName,
            Ratio = _options.Ratio,
            VectorCount = _options.VectorCount,
            MaxTokens = _options.MaxTokens,
            TruncateLongText = _options.TruncateLongText,
        }).Fit(input);
    }

    /// <summary>Trains on the query and document columns of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or is not text.</exception>
    public ContextCompressorTrainingResult Train(IDataView input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShapeFactory.Create(input.Schema));
        var pairs = new List<(string, string)>();
        using DataViewRowCursor cursor = input.GetRowCursor([input.Schema[_options.QueryColumnName], input.Schema[_options.DocumentColumnName]]);
        var query = cursor.GetGetter<ReadOnlyMemory<char>>(input.Schema[_options.QueryColumnName]);
        var document = cursor.GetGetter<ReadOnlyMemory<char>>(input.Schema[_options.DocumentColumnName]);
        ReadOnlyMemory<char> q = default, d = default;
        while (cursor.MoveNext())
        {
            query(ref q);
            document(ref d);
            pairs.Add((q.ToString(), d.ToString()));
        }
        return Train(pairs, cancellationToken);
    }

    /// <summary>Trains on (query, relevant document) pairs, e.g. from <c>RetrievalTrainingPairs.Build</c>.</summary>
    /// <exception cref="ArgumentException">Fewer than two pairs, a text is empty, or a text is longer than its limit without
    /// <see cref="ContextCompressorTrainingOptions.TruncateLongText"/>; the message names the pair.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (a checkpoint is written first when checkpointing is on).</exception>
    public ContextCompressorTrainingResult Train(IReadOnlyList<(string Query, string Document)> pairs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count < 2)
            throw new ArgumentException($"In-batch negatives need at least 2 training pairs; got {pairs.Count}.", nameof(pairs));
        EncoderTokenizer documentTokenizer = EncoderTokenizer.Create(BaseModel, _options.MaxTokens);
        EncoderTokenizer queryTokenizer = EncoderTokenizer.Create(BaseModel, _options.QueryMaxTokens ?? _options.MaxTokens);
        var queries = new TokenizedText[pairs.Count];
        var documents = new TokenizedText[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            queries[i] = Tokenize(queryTokenizer, pairs[i].Query, i, "query", _options.QueryMaxTokens ?? _options.MaxTokens);
            documents[i] = Tokenize(documentTokenizer, pairs[i].Document, i, "document", _options.MaxTokens);
        }

        TrainingOptions loopOptions = _options.Training;
        torch.manual_seed(loopOptions.Seed);
        BertWeights weights = EncoderTraining.ReadWeights(BaseModel);
        using ContextCompressorModel model = ContextCompressorModel.FromEncoder(weights, _options.Dimension,
            _options.ProjectorInnerSize ?? 4 * weights.Config.HiddenSize);
        var task = new ContextCompressorTask(model, new LateInteractionLoss(_options.Scale), queries, documents, _options.Ratio, _options.VectorCount);
        int[] probe = Enumerable.Range(0, Math.Min(pairs.Count, loopOptions.BatchSize)).ToArray();
        double initialLoss = task.EvaluationLoss(probe);

        string compression = _options.VectorCount is int k ? $"{k} vectors per document" : $"ratio {_options.Ratio}";
        TrainingResult training = EncoderTraining.Run(Host, nameof(ContextCompressorTrainer),
            $"Training a context compressor ({compression}) from {BaseModel.Name} on {pairs.Count} pairs; untrained loss {initialLoss:F4}.",
            loopOptions, task, _options.Progress, cancellationToken);
        double finalLoss = task.EvaluationLoss(probe);
        string label = _options.VectorCount is int fixedCount ? $"context compressor, {fixedCount} vectors" : $"context compressor x{_options.Ratio}";
        LearnedContextCompressor compressor = model.Export(BaseModel, _options.VectorCount is null ? _options.Ratio : null, label);
        return new ContextCompressorTrainingResult(compressor, training, initialLoss, finalLoss);
    }

    private TokenizedText Tokenize(EncoderTokenizer tokenizer, string? text, int pair, string what, int? maxTokens)
    {
        TokenizedText tokens = tokenizer.Tokenize(text, null);
        if (tokens.Length <= 2)
            throw new ArgumentException($"Training pair {pair}: the {what} is empty or blank (no word pieces); remove the pair.", nameof(text));
        if (tokens.Truncated && !_options.TruncateLongText)
        {
            throw new ArgumentException(
                $"Training pair {pair}: the {what} is longer than {maxTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "the model's"} word pieces " +
                "([CLS] and [SEP] included); raise MaxTokens, shorten the text, or set TruncateLongText to train on its beginning.", nameof(text));
        }
        return tokens;
    }
}
