using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNetExt.Transforms;

/// <summary>
/// What MLNetExt knows about an encoder model: its architecture (the Hugging Face <c>config.json</c> fields) and how
/// sentence vectors are made from it (pooling, normalisation, maximum tokens, prefixes, casing).
/// </summary>
/// <remarks>
/// The file MLNetExt writes is a Hugging Face <c>config.json</c> (so other tools read its architecture) with one extra
/// object, <c>"mlnetext"</c>, holding the sentence-embedding settings and <see cref="Source"/>. Where that object is
/// absent, the settings come from the sentence-transformers files of the folder (<c>sentence_bert_config.json</c>,
/// <c>1_Pooling/config.json</c>, <c>modules.json</c>, <c>tokenizer_config.json</c>) or from the defaults listed on
/// each property.
/// </remarks>
public sealed record EncoderConfig
{
    /// <summary>Model name, e.g. <c>all-MiniLM-L6-v2</c>; defaults to the folder name.</summary>
    public required string Name { get; init; }

    /// <summary>The <c>model_type</c> of the Hugging Face config, e.g. <c>bert</c>.</summary>
    public string ModelType { get; init; } = "bert";

    /// <summary>Width of the token vectors (<c>hidden_size</c>); also the length of a sentence vector.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Number of transformer layers (<c>num_hidden_layers</c>); 0 when the config does not say.</summary>
    public int Layers { get; init; }

    /// <summary>Attention heads per layer (<c>num_attention_heads</c>); 0 when the config does not say.</summary>
    public int Heads { get; init; }

    /// <summary>Size of the position-embedding table (<c>max_position_embeddings</c>): a hard upper bound on tokens.</summary>
    public int MaxPositionEmbeddings { get; init; } = 512;

    /// <summary>Vocabulary size (<c>vocab_size</c>); 0 when the config does not say.</summary>
    public int VocabSize { get; init; }

    /// <summary>Word pieces per text, <c>[CLS]</c> and <c>[SEP]</c> included, beyond which text is cut (sentence-transformers' <c>max_seq_length</c>).</summary>
    public int MaxTokens { get; init; } = 512;

    /// <summary>How token vectors become a sentence vector. Default <see cref="EncoderPooling.Mean"/>.</summary>
    public EncoderPooling Pooling { get; init; } = EncoderPooling.Mean;

    /// <summary>Whether sentence vectors are scaled to unit L2 length (a <c>Normalize</c> module). Default false.</summary>
    public bool Normalize { get; init; }

    /// <summary>Whether text is lower-cased and accents stripped before WordPiece (uncased vocabularies). Default true.</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Text put before each query (e.g. arctic's <c>"Represent this sentence for searching relevant passages: "</c>); empty for none.</summary>
    public string QueryPrefix { get; init; } = "";

    /// <summary>Text put before each document; empty for none.</summary>
    public string DocumentPrefix { get; init; } = "";

    /// <summary>Where the numbers above come from (model card, ONNX graph inspection, the folder's files).</summary>
    public string Source { get; init; } = "";

    internal const string FileName = "config.json";
    private const string SectionName = "mlnetext";

    /// <summary>The Hugging Face <c>config.json</c> text with the <c>"mlnetext"</c> section.</summary>
    public string ToJson()
    {
        var root = new JsonObject
        {
            ["model_type"] = ModelType,
            ["hidden_size"] = HiddenSize,
            ["num_hidden_layers"] = Layers,
            ["num_attention_heads"] = Heads,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["vocab_size"] = VocabSize,
            [SectionName] = new JsonObject
            {
                ["name"] = Name,
                ["max_tokens"] = MaxTokens,
                ["pooling"] = PoolingName(Pooling),
                ["normalize"] = Normalize,
                ["lower_case"] = LowerCase,
                ["query_prefix"] = QueryPrefix,
                ["document_prefix"] = DocumentPrefix,
                ["source"] = Source,
            },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Reads the configuration of a Hugging Face-layout folder (see the type's remarks for the files consulted).</summary>
    /// <exception cref="FileNotFoundException">The folder has no <c>config.json</c>.</exception>
    /// <exception cref="InvalidDataException">A file is not valid JSON or lacks <c>hidden_size</c>.</exception>
    public static EncoderConfig Read(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The encoder folder '{directory}' has no {FileName}; expected a Hugging Face-layout folder " +
                "(config.json; vocab.txt or tokenizer.json; model.onnx, onnx/model.onnx or model.safetensors).", path);
        }
        JsonObject config = ReadObject(path)!;
        JsonObject? ours = config[SectionName] as JsonObject;
        JsonObject? stConfig = ReadObject(Path.Combine(directory, "sentence_bert_config.json"));
        JsonObject? pooling = ReadObject(Path.Combine(directory, "1_Pooling", "config.json"));
        JsonObject? tokenizerConfig = ReadObject(Path.Combine(directory, "tokenizer_config.json"));
        JsonObject? normalizer = ReadObject(Path.Combine(directory, "tokenizer.json"))?["normalizer"] as JsonObject;
        string? modules = File.Exists(Path.Combine(directory, "modules.json")) ? File.ReadAllText(Path.Combine(directory, "modules.json")) : null;

        int hidden = Int(config, "hidden_size", path) ?? throw new InvalidDataException(
            $"{path}: expected an integer 'hidden_size' (the width of the encoder's token vectors); it is missing.");
        int maxPositions = Int(config, "max_position_embeddings", path) ?? 512;
        return new EncoderConfig
        {
            Name = Str(ours, "name") ?? new DirectoryInfo(directory).Name,
            ModelType = Str(config, "model_type") ?? "bert",
            HiddenSize = hidden,
            Layers = Int(config, "num_hidden_layers", path) ?? 0,
            Heads = Int(config, "num_attention_heads", path) ?? 0,
            MaxPositionEmbeddings = maxPositions,
            VocabSize = Int(config, "vocab_size", path) ?? 0,
            MaxTokens = Int(ours, "max_tokens", path) ?? Int(stConfig, "max_seq_length", path) ?? maxPositions,
            Pooling = Str(ours, "pooling") is { } p ? ParsePooling(p, path) : PoolingFromSentenceTransformers(pooling),
            Normalize = Bool(ours, "normalize", path) ?? (modules?.Contains("sentence_transformers.models.Normalize", StringComparison.Ordinal) ?? false),
            LowerCase = Bool(ours, "lower_case", path) ?? Bool(tokenizerConfig, "do_lower_case", path) ?? Bool(stConfig, "do_lower_case", path)
                ?? Bool(normalizer, "lowercase", path) ?? true,
            QueryPrefix = Str(ours, "query_prefix") ?? "",
            DocumentPrefix = Str(ours, "document_prefix") ?? "",
            Source = Str(ours, "source") ?? $"read from the files of {directory}",
        };
    }

    /// <summary>
    /// The one check of a maximum token count against this model: null gives the model's own
    /// (<see cref="MaxTokens"/>, at most <see cref="MaxPositionEmbeddings"/>); a value must lie in 3..<see cref="MaxPositionEmbeddings"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is out of range; the message quotes it and the model's limit.</exception>
    internal int ResolveMaxTokens(int? requested, string parameterName)
    {
        int maxTokens = requested ?? Math.Min(MaxTokens, MaxPositionEmbeddings);
        if (maxTokens < 3 || maxTokens > MaxPositionEmbeddings)
        {
            throw new ArgumentOutOfRangeException(parameterName, maxTokens,
                $"MaxTokens must be between 3 and the max_position_embeddings of '{Name}' ({MaxPositionEmbeddings}); got {maxTokens}.");
        }
        return maxTokens;
    }

    internal static string PoolingName(EncoderPooling pooling) => pooling switch
    {
        EncoderPooling.Mean => "mean",
        EncoderPooling.Cls => "cls",
        EncoderPooling.Max => "max",
        EncoderPooling.MeanSqrtLen => "mean_sqrt_len",
        _ => throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "Unknown pooling."),
    };

    private static EncoderPooling ParsePooling(string value, string path) => value.ToLowerInvariant() switch
    {
        "mean" => EncoderPooling.Mean,
        "cls" => EncoderPooling.Cls,
        "max" => EncoderPooling.Max,
        "mean_sqrt_len" => EncoderPooling.MeanSqrtLen,
        _ => throw new InvalidDataException($"{path}: 'pooling' must be one of mean, cls, max, mean_sqrt_len; got '{value}'."),
    };

    private static EncoderPooling PoolingFromSentenceTransformers(JsonObject? pooling)
    {
        if (pooling is null)
            return EncoderPooling.Mean;
        if (Bool(pooling, "pooling_mode_cls_token", "") == true)
            return EncoderPooling.Cls;
        if (Bool(pooling, "pooling_mode_max_tokens", "") == true)
            return EncoderPooling.Max;
        if (Bool(pooling, "pooling_mode_mean_sqrt_len_tokens", "") == true)
            return EncoderPooling.MeanSqrtLen;
        return EncoderPooling.Mean;
    }

    /// <summary>Parses a JSON object file; null when the file does not exist.</summary>
    internal static JsonObject? ReadObject(string path)
    {
        if (!File.Exists(path))
            return null;
        try
        {
            using var stream = File.OpenRead(path);
            return JsonNode.Parse(stream) as JsonObject
                ?? throw new InvalidDataException($"{path}: expected a JSON object at the top level.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException(
                $"{path}: not valid JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}: {ex.Message}", ex);
        }
    }

    private static string? Str(JsonObject? obj, string key) =>
        obj?[key] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static int? Int(JsonObject? obj, string key, string path)
    {
        if (obj?[key] is not { } node)
            return null;
        if (node is JsonValue v && v.TryGetValue(out int i))
            return i;
        throw new InvalidDataException($"{path}: '{key}' must be an integer; got {node.ToJsonString()}.");
    }

    private static bool? Bool(JsonObject? obj, string key, string path)
    {
        if (obj?[key] is not { } node)
            return null;
        if (node is JsonValue v && v.TryGetValue(out bool b))
            return b;
        throw new InvalidDataException($"{path}: '{key}' must be true or false; got {node.ToJsonString()}.");
    }
}
