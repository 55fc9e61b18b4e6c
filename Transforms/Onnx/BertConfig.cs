using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNetExt.Transforms.Onnx;

/// <summary>
/// The shape of a BERT-family encoder, in Hugging Face <c>config.json</c> terms, extended with a head count per layer
/// so that head-pruned models are expressible (<c>heads_per_layer</c>; absent when every layer has
/// <c>num_attention_heads</c> heads).
/// </summary>
public sealed class BertConfig
{
    /// <summary>The value added to attention scores of padding positions (as in the exported Hugging Face graphs).</summary>
    public const float MaskedAttentionScore = -10000f;

    /// <summary>Word-piece vocabulary size (<c>vocab_size</c>).</summary>
    public int VocabSize { get; init; } = 30522;

    /// <summary>Width of the hidden states (<c>hidden_size</c>).</summary>
    public int HiddenSize { get; init; } = 384;

    /// <summary>Heads of each layer; its length is the layer count (<c>num_hidden_layers</c>).</summary>
    public IReadOnlyList<int> HeadsPerLayer { get; init; } = [12, 12, 12, 12, 12, 12];

    /// <summary>Width of one attention head (<c>hidden_size / num_attention_heads</c> in an unpruned model).</summary>
    public int HeadSize { get; init; } = 32;

    /// <summary>Width of the feed-forward block (<c>intermediate_size</c>).</summary>
    public int IntermediateSize { get; init; } = 1536;

    /// <summary>Longest input in tokens (<c>max_position_embeddings</c>).</summary>
    public int MaxPositionEmbeddings { get; init; } = 512;

    /// <summary>Number of segment types (<c>type_vocab_size</c>).</summary>
    public int TypeVocabSize { get; init; } = 2;

    /// <summary>LayerNorm epsilon (<c>layer_norm_eps</c>).</summary>
    public double LayerNormEps { get; init; } = 1e-12;

    /// <summary>Dropout on hidden states while training (<c>hidden_dropout_prob</c>).</summary>
    public double HiddenDropout { get; init; } = 0.1;

    /// <summary>Dropout on attention probabilities while training (<c>attention_probs_dropout_prob</c>).</summary>
    public double AttentionDropout { get; init; } = 0.1;

    /// <summary>
    /// Width of the attention expander of every layer (<c>attention_expander_size</c>; 0, the default, for none): a small
    /// feed-forward network shared by the heads of a layer that refines their projected output before the residual,
    /// <c>a + W2 gelu(W1 a + b1) + b2</c> (SHRP's Expert Attention; parameters <c>attention.output.expander.dense_in/dense_out</c>).
    /// </summary>
    public int ExpanderSize { get; init; }

    /// <summary>Number of transformer layers.</summary>
    public int LayerCount => HeadsPerLayer.Count;

    /// <summary>Checks that the numbers describe a buildable model; throws <see cref="ArgumentOutOfRangeException"/> naming the bad field.</summary>
    public void Validate()
    {
        Positive(VocabSize, "vocab_size");
        Positive(HiddenSize, "hidden_size");
        Positive(HeadSize, "attention_head_size");
        Positive(IntermediateSize, "intermediate_size");
        Positive(MaxPositionEmbeddings, "max_position_embeddings");
        Positive(TypeVocabSize, "type_vocab_size");
        if (ExpanderSize < 0)
            throw new ArgumentOutOfRangeException("attention_expander_size", ExpanderSize, $"'attention_expander_size' must not be negative, got {ExpanderSize}.");
        if (HeadsPerLayer.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(HeadsPerLayer), "A model needs at least one layer.");
        for (int i = 0; i < HeadsPerLayer.Count; i++)
            if (HeadsPerLayer[i] < 1)
                throw new ArgumentOutOfRangeException(nameof(HeadsPerLayer), HeadsPerLayer[i], $"Layer {i} has {HeadsPerLayer[i]} heads; each layer needs at least one.");
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be positive, got {value}.");
    }

    /// <summary>Writes the configuration as Hugging Face <c>config.json</c> text (model_type bert).</summary>
    public string ToJson()
    {
        var json = new JsonObject
        {
            ["model_type"] = "bert",
            ["architectures"] = new JsonArray("BertModel"),
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["num_hidden_layers"] = LayerCount,
            ["num_attention_heads"] = HeadsPerLayer.Max(),
            ["attention_head_size"] = HeadSize,
            ["intermediate_size"] = IntermediateSize,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["type_vocab_size"] = TypeVocabSize,
            ["layer_norm_eps"] = LayerNormEps,
            ["hidden_dropout_prob"] = HiddenDropout,
            ["attention_probs_dropout_prob"] = AttentionDropout,
            ["hidden_act"] = "gelu",
        };
        if (ExpanderSize > 0)
            json["attention_expander_size"] = ExpanderSize;
        if (HeadsPerLayer.Distinct().Count() > 1)
            json["heads_per_layer"] = new JsonArray(HeadsPerLayer.Select(h => (JsonNode)h).ToArray());
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Reads a Hugging Face <c>config.json</c> (BERT-family fields; <c>heads_per_layer</c> when pruned).</summary>
    /// <exception cref="FormatException">A required field is missing or not a number.</exception>
    public static BertConfig FromJson(string json, string source = "config.json")
    {
        JsonObject root = JsonNode.Parse(json) as JsonObject
            ?? throw new FormatException($"{source}: expected a JSON object.");
        int Int(string name, int? fallback = null)
        {
            if (root[name] is JsonValue v && v.TryGetValue(out int i))
                return i;
            return fallback ?? throw new FormatException($"{source}: field '{name}' is missing or not an integer.");
        }
        double Real(string name, double fallback) =>
            root[name] is JsonValue v && v.TryGetValue(out double d) ? d : fallback;

        int hidden = Int("hidden_size");
        int layers = Int("num_hidden_layers");
        int heads = Int("num_attention_heads");
        int[] perLayer = root["heads_per_layer"] is JsonArray array
            ? array.Select(n => n!.GetValue<int>()).ToArray()
            : Enumerable.Repeat(heads, layers).ToArray();
        if (perLayer.Length != layers)
            throw new FormatException($"{source}: heads_per_layer has {perLayer.Length} entries, num_hidden_layers is {layers}.");
        var config = new BertConfig
        {
            VocabSize = Int("vocab_size"),
            HiddenSize = hidden,
            HeadsPerLayer = perLayer,
            HeadSize = Int("attention_head_size", hidden / heads),
            IntermediateSize = Int("intermediate_size"),
            MaxPositionEmbeddings = Int("max_position_embeddings", 512),
            TypeVocabSize = Int("type_vocab_size", 2),
            LayerNormEps = Real("layer_norm_eps", 1e-12),
            HiddenDropout = Real("hidden_dropout_prob", 0.1),
            AttentionDropout = Real("attention_probs_dropout_prob", 0.1),
            ExpanderSize = Int("attention_expander_size", 0),
        };
        config.Validate();
        return config;
    }
}
