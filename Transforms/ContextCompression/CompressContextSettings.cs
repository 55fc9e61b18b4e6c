using Microsoft.ML.OnnxRuntime;

namespace MLNetExt.Transforms;

/// <summary>The options of <c>CompressContext</c> with the model's defaults filled in and checked; what a fitted transformer saves.</summary>
internal sealed record CompressContextSettings
{
    public required string OutputColumn { get; init; }
    public required string CountColumn { get; init; }
    public required string InputColumn { get; init; }
    public required ContextCompressionMethod Method { get; init; }
    public required int Ratio { get; init; }
    public int? VectorCount { get; init; }
    public required bool Normalize { get; init; }
    public required int MaxTokens { get; init; }
    public bool TruncateLongText { get; init; }
    public string Prefix { get; init; } = "";
    public int BatchSize { get; init; } = 32;
    public int SortWindow { get; init; } = 1024;
    public int? IntraOpThreads { get; init; }
    public GraphOptimizationLevel GraphOptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;
    public EncoderExecutionProvider ExecutionProvider { get; init; }
    public bool FuseGraph { get; init; } = true;

    public EncoderServingSettings ToServingSettings() => new(InputColumn, null, BatchSize, SortWindow,
        new EncoderRuntimeSettings("CompressContext", nameof(CompressContextTransformer), ExecutionProvider, IntraOpThreads, GraphOptimizationLevel), FuseGraph);

    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message quotes it).</exception>
    public static CompressContextSettings Resolve(CompressContextOptions options, EncoderModel model)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName, nameof(options.OutputColumnName));
        if (!Enum.IsDefined(options.Method))
            throw new ArgumentOutOfRangeException(nameof(options.Method), options.Method, $"Unknown compression method {options.Method}.");
        if (options.VectorCount is int k && k < 1)
            throw new ArgumentOutOfRangeException(nameof(options.VectorCount), k, $"VectorCount must be at least 1; got {k}.");
        if (options.VectorCount is null && !ContextPooling.Ratios.Contains(options.Ratio))
            throw new ArgumentOutOfRangeException(nameof(options.Ratio), options.Ratio, $"Ratio must be 1, 2, 4 or 8; got {options.Ratio}.");
        EncoderRuntimeChecks.Check(options.BatchSize, options.SortWindow, options.IntraOpThreads);
        if (options.Method == ContextCompressionMethod.Learned && options.Compressor is null)
            throw new ArgumentException("Method Learned needs a trained compressor: set CompressContextOptions.Compressor (LearnedContextCompressor.Load(folder)).", nameof(options));
        if (options.Method != ContextCompressionMethod.Learned && options.Compressor is not null)
            throw new ArgumentException($"CompressContextOptions.Compressor is set but Method is {options.Method}; set Method = Learned to use it.", nameof(options));
        if (options.Compressor is not null && options.Model is not null && !ReferenceEquals(options.Model, options.Compressor.Encoder))
            throw new ArgumentException("Set either Model or Compressor: a learned compressor brings its own encoder.", nameof(options));

        var settings = new CompressContextSettings
        {
            OutputColumn = options.OutputColumnName,
            CountColumn = string.IsNullOrEmpty(options.CountColumnName) ? options.OutputColumnName + "Count" : options.CountColumnName,
            InputColumn = string.IsNullOrEmpty(options.InputColumnName) ? "Text" : options.InputColumnName,
            Method = options.Method,
            Ratio = options.Ratio,
            VectorCount = options.VectorCount,
            Normalize = options.Normalize,
            MaxTokens = model.Config.ResolveMaxTokens(options.MaxTokens, nameof(options.MaxTokens)),
            TruncateLongText = options.TruncateLongText,
            Prefix = options.Prefix ?? "",
            BatchSize = options.BatchSize,
            SortWindow = Math.Max(options.SortWindow, options.BatchSize),
            IntraOpThreads = options.IntraOpThreads,
            GraphOptimizationLevel = options.GraphOptimizationLevel,
            ExecutionProvider = options.ExecutionProvider,
            FuseGraph = options.FuseGraph,
        };
        if (settings.CountColumn == settings.OutputColumn)
            throw new ArgumentException($"The vectors and count columns must differ; both are '{settings.OutputColumn}'.", nameof(options));
        return settings;
    }
}
