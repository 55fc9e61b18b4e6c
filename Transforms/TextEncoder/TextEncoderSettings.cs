using Microsoft.ML.OnnxRuntime;

namespace MLNetExt.Transforms;

/// <summary>The options with the model's defaults filled in and checked; what a fitted transformer saves.</summary>
internal sealed record TextEncoderSettings
{
    public required string OutputColumn { get; init; }
    public required string InputColumn { get; init; }
    public string? PairColumn { get; init; }
    public string? TokenEmbeddingsColumn { get; init; }
    public string? TokenMaskColumn { get; init; }
    public string? WordPiecesColumn { get; init; }
    public required EncoderPooling Pooling { get; init; }
    public required bool Normalize { get; init; }
    public required int MaxTokens { get; init; }
    public string Prefix { get; init; } = "";
    public int BatchSize { get; init; } = 32;
    public int SortWindow { get; init; } = 1024;
    public int? IntraOpThreads { get; init; }
    public GraphOptimizationLevel GraphOptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;
    public EncoderExecutionProvider ExecutionProvider { get; init; }

    /// <summary>Whether a recognised BERT graph runs fused; true when a file saved before the option existed is read.</summary>
    public bool FuseGraph { get; init; } = true;

    /// <summary>What the encoder stack needs of these settings.</summary>
    public EncoderServingSettings ToServingSettings() => new(InputColumn, PairColumn, BatchSize, SortWindow,
        new EncoderRuntimeSettings("EncodeText", nameof(TextEncoderTransformer), ExecutionProvider, IntraOpThreads, GraphOptimizationLevel), FuseGraph);

    public static TextEncoderSettings Resolve(TextEncoderOptions options, EncoderModel model)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName, nameof(options.OutputColumnName));
        EncoderConfig config = model.Config;
        int maxTokens = config.ResolveMaxTokens(options.MaxTokens, nameof(options.MaxTokens));
        EncoderRuntimeChecks.Check(options.BatchSize, options.SortWindow, options.IntraOpThreads);

        var settings = new TextEncoderSettings
        {
            OutputColumn = options.OutputColumnName,
            InputColumn = string.IsNullOrEmpty(options.InputColumnName) ? options.OutputColumnName : options.InputColumnName,
            PairColumn = NullIfEmpty(options.PairColumnName),
            TokenEmbeddingsColumn = NullIfEmpty(options.TokenEmbeddingsColumnName),
            TokenMaskColumn = NullIfEmpty(options.TokenMaskColumnName),
            WordPiecesColumn = NullIfEmpty(options.WordPiecesColumnName),
            Pooling = options.Pooling ?? config.Pooling,
            Normalize = options.Normalize ?? config.Normalize,
            MaxTokens = maxTokens,
            Prefix = options.Prefix ?? "",
            BatchSize = options.BatchSize,
            SortWindow = Math.Max(options.SortWindow, options.BatchSize),
            IntraOpThreads = options.IntraOpThreads,
            GraphOptimizationLevel = options.GraphOptimizationLevel,
            ExecutionProvider = options.ExecutionProvider,
            FuseGraph = options.FuseGraph,
        };
        string[] outputs = settings.OutputColumns.ToArray();
        if (outputs.Distinct(StringComparer.Ordinal).Count() != outputs.Length)
            throw new ArgumentException($"The output column names must differ from one another; got {string.Join(", ", outputs)}.", nameof(options));
        return settings;
    }

    /// <summary>Output column names in schema order: sentence vector, token vectors, token mask, word pieces.</summary>
    public IEnumerable<string> OutputColumns
    {
        get
        {
            yield return OutputColumn;
            if (TokenEmbeddingsColumn is not null)
                yield return TokenEmbeddingsColumn;
            if (TokenMaskColumn is not null)
                yield return TokenMaskColumn;
            if (WordPiecesColumn is not null)
                yield return WordPiecesColumn;
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
